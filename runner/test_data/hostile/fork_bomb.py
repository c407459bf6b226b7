"""Forks children that each sleep, until a fork fails or 2000 were made.

Safe if containment fails: it stops by itself at 2000 processes, each of which exits after
20 seconds. The count of forks that succeeded is kept in ./count.
"""
import os
import sys
import time

marker = sys.argv[1]
made = 0
while made < 2000:
    try:
        pid = os.fork()
    except OSError as error:
        print(f"fork failed after {made} children: {error}")
        break
    if pid == 0:
        # Each child only sleeps, then leaves without running the parent's cleanup.
        time.sleep(20)
        os._exit(0)
    made += 1
    with open("count", "w") as f:
        f.write(str(made))
print(f"made {made} children {marker}")
