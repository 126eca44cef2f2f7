"""Waiting in tests for something that happens soon but not at once (an event arriving,
a process answering), bounded so a test never hangs."""

import time


def wait_until(condition, seconds=10, interval=0.05):
    """True as soon as ``condition()`` is, False once ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False
