"""Opens a TCP connection to a port the test listens on, on 127.0.0.1 of tdev's own
network namespace, and says whether it got through.

Safe if containment fails: one connection to the test's own listener, with a timeout.
"""
import socket
import sys

port = int(sys.argv[1])
try:
    socket.create_connection(("127.0.0.1", port), timeout=5).close()
    print("connected")
except OSError as error:
    print(f"no connection: {error}")
    sys.exit(3)
