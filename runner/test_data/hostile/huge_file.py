"""Writes a file of up to 200 MiB, one MiB at a time.

Safe if containment fails: it stops at 200 MiB, in its working directory.
"""
chunk = b"x" * (1 << 20)
with open("huge.bin", "wb") as f:
    for _ in range(200):
        f.write(chunk)
        f.flush()
print("wrote 200 MiB")
