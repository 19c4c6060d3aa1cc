"""The suite under libfaketime (``make test-at``: the whole suite at another hour).

libfaketime 0.9.10 (Debian's) with ``FAKETIME_DONT_FAKE_MONOTONIC=1`` shifts the absolute
deadline of ``clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)``, which ``time.sleep`` uses
since Python 3.11: every ``time.sleep`` then fails with EINVAL, and with it
``subprocess.run(timeout=…)`` and ``Popen.wait(timeout)`` (libfaketime issue #426). Everything
else the tests use (asyncio, locks, events, ``select``) waits on relative timeouts or the real
monotonic clock and is unaffected.
"""

from __future__ import annotations

import os
import select
import time

_real_sleep = time.sleep


def under_faketime() -> bool:
    """Whether this process runs under libfaketime."""
    return "FAKETIME" in os.environ and "faketime" in os.environ.get("LD_PRELOAD", "")


def select_sleep(seconds: float) -> None:
    """``time.sleep`` on ``select``'s relative timeout, which libfaketime leaves alone."""
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        select.select([], [], [], left)


def without_faketime() -> dict[str, str]:
    """This process's environment without libfaketime, for a program that needs no faked time
    and misbehaves under it: headless Chromium takes over a minute a page (one second without)."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("FAKETIME") and not (key == "LD_PRELOAD" and "faketime" in value)
    }


def mend_sleep() -> None:
    """Under libfaketime, make ``time.sleep`` work again in this process; else nothing."""
    if under_faketime():
        time.sleep = select_sleep  # type: ignore[assignment]  # seconds: the callers pass floats
