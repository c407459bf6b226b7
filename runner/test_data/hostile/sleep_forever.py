"""A test that never ends, with a grandchild that leaves the process group (setsid).

Safe if containment fails: both sleep at most 120 seconds.
"""
import os
import subprocess
import sys
import time

marker = sys.argv[1]
subprocess.Popen(
    [sys.executable, "-c", "import time; time.sleep(120)", marker],
    start_new_session=True,
)
open("started", "w").close()
time.sleep(120)
