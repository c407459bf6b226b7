"""Spins on the CPU.

Safe if containment fails: it stops by itself after 30 seconds of CPU time (counted in CPU
time, so that a busy machine cannot make it stop before the limit it is tested against).
"""
import time

while time.process_time() < 30:
    pass
print("spun for 30 s")
