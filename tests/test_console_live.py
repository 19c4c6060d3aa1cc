"""The console typed into while it runs, as a person at a terminal would: buttons of earlier
messages, Ctrl-C inside a continued line, and the public page (``/healthz``, a taken port).
Issue 19; the console's clock is set with ``--now`` in every run."""

from __future__ import annotations

import queue
import re
import signal
import sqlite3
import threading
from pathlib import Path

import httpx

from bot.web.server import bind_socket
from tests.test_console import AT_NOW, SIGN_UP, _minutes_until_the_day_before, start_console

ORGANISER = 1
ATTENDEE = 4242
_TAG = re.compile(r"^\(([A-Z]+)\) ")


class LiveConsole:
    """``python run.py console --now …`` in its own process; entries are typed while it runs
    and its output is read line by line. It never calls ``Popen.wait`` with a timeout: under
    ``FAKETIME_DONT_FAKE_MONOTONIC=1`` libfaketime 0.9.10 makes Python's ``time.sleep`` fail
    with EINVAL, and that wait sleeps."""

    def __init__(self, tmp_path: Path, *args: str, **variables: str) -> None:
        self.process = start_console(tmp_path, "--now", AT_NOW, *args, **variables)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def type(self, *entries: str) -> None:
        """Type ``entries``, each ended by Enter."""
        assert self.process.stdin is not None
        self.process.stdin.write("".join(f"{entry}\n" for entry in entries))
        self.process.stdin.flush()

    def until(self, text: str, timeout: float = 60) -> str:
        """Read up to the first line containing ``text`` and return that line; fail when the
        console ends first (or has not printed it within ``timeout`` seconds)."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"{text!r} not shown; last lines: {self.seen[-5:]}") from None
            if line is None:
                raise AssertionError(f"the console ended before {text!r}: {self.seen[-5:]}")
            self.seen.append(line)
            if text in line:
                return line

    def finish(self) -> str:
        """End the input, wait for the console to end cleanly; return all it printed."""
        assert self.process.stdin is not None and self.process.stderr is not None
        self.process.stdin.close()
        while (line := self.lines.get(timeout=60)) is not None:  # its output ends as it ends
            self.seen.append(line)
        self.process.wait()  # no timeout: under libfaketime, Popen.wait's sleeps fail (EINVAL)
        err = self.process.stderr.read()
        assert self.process.returncode == 0, err
        assert "Traceback" not in err
        return "".join(self.seen)


def tag_of(line: str) -> str:
    """The tag ``(B)`` a message with buttons is shown with, from its first line."""
    match = _TAG.match(line)
    assert match is not None, line
    return match.group(1)


def test_a_button_of_an_earlier_message_is_pressed_by_its_tag(tmp_path):
    """A Fortbildung evening played to its end: the certificate PDF (within a minute of the
    end) and the feedback question arrive at once, and the rating is given by the question's
    tag (``h5``: button 5 of message H)."""
    live = LiveConsole(tmp_path, "--admin", "--user-id", str(ORGANISER))
    live.type(
        f"/als {ATTENDEE}",
        *SIGN_UP.splitlines(),
        f"/zeit +{_minutes_until_the_day_before(19, 30)}m",  # the 1-day reminder is due
        "3",  # Ich komme
        "/zeit +22h",
        f"/als {ORGANISER}",  # at the door
        "/checkin",
        "1",
        "#1",  # tap the attendee
        f"/als {ATTENDEE}",
        "/zeit +6h",  # the certificate, then the feedback request
    )
    live.until("Teilnahmebescheinigung für Umbau statt Neubau")  # a PDF: no tag, no buttons
    feedback = tag_of(live.until("Wie war der Abend?"))
    live.type(f"{feedback.lower()}5")
    live.until("Danke für Ihre Bewertung: 5 von 5.")
    out = live.finish()
    assert "saved: data/console-files/Teilnahmebescheinigung-umbau-statt-neubau-2026.pdf" in out
    conn = sqlite3.connect(tmp_path / "data" / "console.sqlite3")
    try:
        assert conn.execute("SELECT rating FROM feedback").fetchall() == [(5,)]
    finally:
        conn.close()


def test_a_press_names_what_it_cannot_press(tmp_path):
    live = LiveConsole(tmp_path)
    live.type("/als 2", "A1", "Z1", "/als 4242", "A9", "A1")
    out = live.finish()
    assert "(message A is Erika (4242)'s: /als 4242 first)" in out
    assert "(no message Z on the screen; 'Z1 sends it as text)" in out
    assert "(no button 9; message A has 4)" in out
    assert "Die nächsten 4 Termine" in out  # A1 as Erika: 📅 Nächste Termine of the greeting


def test_ctrl_c_inside_a_continued_line_discards_it(tmp_path):
    """Half of an entry (a line ending in a backslash) is not sent on Ctrl-C; the console says
    so and goes on; Ctrl-C at the prompt still ends it (test_console)."""
    live = LiveConsole(tmp_path)
    live.type("/hilfe", "Hallo \\")
    live.until("/abbrechen – einen laufenden Dialog verlassen")  # /hilfe answered
    live.process.send_signal(signal.SIGINT)
    live.until("the unfinished entry was discarded", timeout=30)
    live.type("/quit")
    out = live.finish()
    assert "Das habe ich leider nicht verstanden" not in out  # "Hallo" never reached the bot
    assert out.count("Bye.") == 1


def test_healthz_counts_the_console_as_running(tmp_path):
    """Over real HTTP: the console answering as the bot is a running bot (was 503)."""
    probe = bind_socket("127.0.0.1", 0)
    port = probe.getsockname()[1]
    probe.close()
    live = LiveConsole(tmp_path, WEB_PORT=str(port))
    try:
        live.until(f"Public program page: http://127.0.0.1:{port}/")
        response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
    finally:
        live.finish()
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "bot": "console",
        "outbox_backlog": 0,
    }


def test_a_taken_web_port_is_said_in_one_line(tmp_path):
    taken = bind_socket("127.0.0.1", 0)
    port = taken.getsockname()[1]
    taken.listen()
    try:
        live = LiveConsole(tmp_path, WEB_PORT=str(port))
        out = live.finish()
    finally:
        taken.close()
    said = [line for line in out.splitlines() if f"127.0.0.1:{port}" in line]
    assert len(said) == 1
    assert said[0].startswith("Public program page not served: Cannot serve the public program")
    assert "WEB_PORT" in said[0]
