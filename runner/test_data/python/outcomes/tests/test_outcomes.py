import errno
import importlib.metadata
import os
import socket

import pytest

import outcomes_demo


@pytest.fixture
def broken():
    raise RuntimeError("the fixture fails")


def test_passes():
    assert outcomes_demo.add(1, 2) == 3


def test_fails():
    assert outcomes_demo.add(1, 2) == 4


@pytest.mark.skip(reason="not today")
def test_skipped():
    pass


def test_errors(broken):
    pass


@pytest.mark.parametrize("a", [1, 2])
def test_parametrized(a):
    assert outcomes_demo.add(a, 0) == a


def test_metadata_comes_from_the_checkout():
    assert importlib.metadata.version("outcomes-demo") == "0.4.1"


def test_imports_from_the_worktree():
    assert os.path.dirname(outcomes_demo.__file__).endswith(os.path.join("src", "outcomes_demo"))


def test_no_network():
    # In tdev's network namespace only its own loopback is up: any other address (here one
    # reserved for documentation, never routed) is unreachable, not merely slow.
    with pytest.raises(OSError) as info:
        socket.create_connection(("192.0.2.1", 9), timeout=2)
    assert info.value.errno == errno.ENETUNREACH


class TestInClass:
    def test_method(self):
        assert True
