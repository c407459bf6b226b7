"""Starts a server on the loopback of its own network namespace and connects to it, as test
suites with a local HTTP server do, and says whether that worked.

Safe if containment fails: one listener on an ephemeral port, one connection to it.
"""
import socket

server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
try:
    socket.create_connection(server.getsockname(), timeout=5).close()
    print("loopback works")
except OSError as error:
    print(f"no loopback: {error}")
