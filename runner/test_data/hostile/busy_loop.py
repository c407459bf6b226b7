"""Spins on the CPU.

Safe if containment fails: it stops by itself after 30 seconds.
"""
import time

end = time.monotonic() + 30
while time.monotonic() < end:
    pass
print("spun for 30 s")
