"""Tries to write outside its working directory: into a directory the test made elsewhere,
into a system path, and after trying to make the root file system writable again.

Safe if containment fails: it writes a few bytes into the test's own temporary directory,
/tmp and the user's real home directory, under names the test removes.
"""
import os
import subprocess
import sys

outside, marker, home = sys.argv[1], sys.argv[2], sys.argv[3]
results = []
subprocess.run(["mount", "-o", "remount,rw", "/"], stderr=subprocess.DEVNULL)
for path in [
    os.path.join(outside, "escaped.txt"),
    f"/tmp/{marker}.txt",
    os.path.join(home, f"{marker}.txt"),
]:
    try:
        with open(path, "w") as f:
            f.write("escaped")
        results.append(f"wrote {path}")
    except OSError as error:
        results.append(f"refused {path}: {error.strerror}")
with open(os.path.join(os.environ["HOME"], "home.txt"), "w") as f:
    f.write("inside the scratch home")
with open("inside.txt", "w") as f:
    f.write("inside the working directory")
print("\n".join(results))
