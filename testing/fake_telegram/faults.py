"""Fault injection of :class:`~.api.FakeBotApi`: blocked users, failing calls, outages and
Telegram's flood control, and the checks :meth:`~.api.FakeBotApi.answer_call` makes for them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram.error import NetworkError, TimedOut

from .constants import BLOCKED, RATE_LIMITED_METHODS
from .records import _ApiError, _Fault


class FaultInjection:
    """Mixin of :class:`~.api.FakeBotApi`; its state (``_faults``, ``_blocked``, ``_down``,
    ``_max_rate``, ``_window``, ``rate_429s``) is created in ``FakeBotApi.__init__``."""

    # -- checks made for every call ----------------------------------------------------------

    def _apply_fault(self, method: str, log: Callable[[int | str], None]) -> bool:
        """Raise the next injected fault for ``method``; ``True``: answer late (see below)."""
        for fault in self._faults:
            if fault.method == method or (fault.method is None and method != "getUpdates"):
                break
        else:
            return False
        fault.remaining -= 1
        if fault.remaining <= 0:
            self._faults.remove(fault)
        if fault.status == "late":
            return True
        if fault.status == "timeout":
            log("timeout")
            raise TimedOut("fake Telegram: injected timeout")
        if fault.status == "down":
            log("down")
            raise NetworkError("fake Telegram: injected network error")
        status = int(fault.status)
        if status == 429:
            retry_after = fault.retry_after or 1
            raise _ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        descriptions = {400: "Bad Request: injected failure", 403: BLOCKED}
        description = descriptions.get(status, f"fake Telegram: injected {status}")
        raise _ApiError(status, fault.description or description)

    def _check_rate(self, method: str, now: float) -> None:
        if self._max_rate is None or method not in RATE_LIMITED_METHODS:
            return
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if len(self._window) >= self._max_rate:
            self.rate_429s += 1
            raise _ApiError(429, "Too Many Requests: retry after 1", 1)
        self._window.append(now)

    def _is_blocked(self, chat_id: Any) -> bool:
        try:
            return int(chat_id) in self._blocked
        except (TypeError, ValueError):
            return False

    # -- fault injection ---------------------------------------------------------------------

    def block(self, chat_id: int) -> None:
        """Act as if the user blocked the bot: calls for this chat get 403."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """Undo :meth:`block`."""
        self._blocked.discard(chat_id)

    def fail_next(
        self,
        n: int = 1,
        status: int | str = 429,
        method: str | None = None,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Make the next ``n`` calls (of ``method``, or of any method but getUpdates) fail.

        ``status`` is an HTTP status (429 answers with ``retry_after``, default 1),
        ``"timeout"`` (raises ``TimedOut``, nothing delivered), ``"late"`` (the call takes
        effect, then ``TimedOut`` as if the answer came after the read timeout) or ``"down"``
        (raises ``NetworkError``). ``description``: the error text of an HTTP status, where a
        test needs Telegram's own words (e.g. why setWebhook refused a URL).
        """
        self._faults.append(_Fault(n, status, method, retry_after, description))

    def set_down(self, down: bool = True) -> None:
        """While down, every call (getUpdates included) raises ``NetworkError``."""
        self._down = down

    def enforce_rate(self, max_per_second: float | None) -> None:
        """Answer 429 (retry_after=1) to rate-limited methods beyond this many per second."""
        self._max_rate = max_per_second
        self._window.clear()
