"""Allocates memory 32 MiB at a time, touching every page, up to 2 GiB.

Safe if containment fails: it stops at 2 GiB and then exits.
"""
chunks = []
for _ in range(64):
    chunks.append(b"\x01" * (32 << 20))
print(f"allocated {len(chunks) * 32} MiB")
