"""``python run.py console`` as a person meets it: its own process, piped input, the screen and
the database checked afterwards (PRODUCT §2, issue 10). Every run sets the console's clock with
``--now`` (issue 19), so no test depends on the hour it runs at."""

from __future__ import annotations

import asyncio
import io
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from bot.clock import ManualClock
from bot.sending.sender import drain_outbox
from storage import events as event_store
from storage import outbox
from storage.attendance import COMING
from testing.offline import offline_bot
from tests.conftest import NOW, make_event, make_settings
from tests.outbox_support import sign_up
from tests.process_support import RUN, clean_env

STRANGER = 777
CONSOLE_PERSON = 4242
BERLIN = ZoneInfo("Europe/Berlin")
AT_NOW = NOW.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M")  # --now: the tests' NOW, 10:00


def finish(process: subprocess.Popen[str], stdin: str | None = None) -> tuple[str, str]:
    """Feed ``stdin`` and read all output until the console ends (killed after 60 s). No
    timeout is given to ``communicate``: its wait would sleep, and under
    ``FAKETIME_DONT_FAKE_MONOTONIC=1`` libfaketime 0.9.10 makes ``time.sleep`` fail (EINVAL)."""
    watchdog = threading.Timer(60, process.kill)
    watchdog.start()
    try:
        return process.communicate(stdin)
    finally:
        watchdog.cancel()


def start_console(tmp_path: Path, *args: str, **variables: str) -> subprocess.Popen[str]:
    """``python run.py console ARGS`` in ``tmp_path``, all three streams piped."""
    return subprocess.Popen(
        [sys.executable, RUN, "console", *args],
        cwd=tmp_path,
        env=clean_env(tmp_path, **variables),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def console(tmp_path: Path, stdin: str, *args: str, now: str | None = AT_NOW, **variables: str):
    """Run the console in ``tmp_path`` with ``stdin`` piped in, its clock at ``now``."""
    clock = ("--now", now) if now is not None else ()
    process = start_console(tmp_path, *clock, *args, **variables)
    out, err = finish(process, stdin)
    result = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def rows(path: Path) -> dict[int, tuple[int, str]]:
    """Outbox rows by id: (recipient, state)."""
    conn = sqlite3.connect(path)
    try:
        return {
            i: (user, state)
            for i, user, state in conn.execute("SELECT id, user_id, state FROM outbox")
        }
    finally:
        conn.close()


async def queue_notices(path: Path) -> None:
    """A change notice for a stranger and one for the console's person, and a stranger's row
    that a real bot is sending right now."""
    settings = make_settings(path.parent, database_path=path)
    clock = ManualClock(NOW)
    async with offline_bot(settings, clock=clock) as bot:
        event = make_event(days=10)
        await event_store.save_events(bot.data.db, [event], clock.now())
        await sign_up(bot, clock, STRANGER, event.id)  # type: ignore[arg-type]
        await sign_up(bot, clock, CONSOLE_PERSON, event.id)  # type: ignore[arg-type]
        moved = make_event(days=11)
        await event_store.save_events(bot.data.db, [moved], clock.now())
        await bot.data.db.write(
            outbox.enqueue, STRANGER, outbox.OutboxKind.EVENT_CHANGED, {}, clock.now()
        )
        await bot.data.db.execute("UPDATE outbox SET state = 'sending' WHERE id = 3")


async def test_console_leaves_strangers_rows_to_the_real_bot(tmp_path):
    path = tmp_path / "production.sqlite3"
    await queue_notices(path)
    before = rows(path)
    assert sorted(before.values()) == [
        (STRANGER, "pending"),
        (STRANGER, "sending"),
        (CONSOLE_PERSON, "pending"),
    ]
    result = console(tmp_path, "/termine\n/zeit +1h\n/als 5\n/meine\n", "--database", str(path))
    assert "Änderung: Umbau statt Neubau" in result.stdout  # the console person's own notice
    assert "/zeit is off on a database with other people" in result.stdout
    after = rows(path)
    for row_id, (user, state) in before.items():
        if user == STRANGER:
            assert after[row_id] == (user, state)  # untouched: not sent, not failed
        else:
            assert after[row_id] == (user, "sent")
    # the real bot (no recipient filter) then delivers the stranger's notice
    settings = make_settings(tmp_path, database_path=path)
    async with offline_bot(settings, clock=ManualClock(NOW)) as real_bot:
        report = await drain_outbox(real_bot.app)
        assert report.sent == 1
        assert "Änderung" in " ".join(m.text for m in real_bot.api.messages(STRANGER))
    assert [state for user, state in rows(path).values() if user == STRANGER] == [
        "sent",
        "failed",  # the real bot's own start-up closed its in-flight row, as after a crash
    ]


def test_console_never_reads_database_path(tmp_path):
    production = tmp_path / "bot.sqlite3"
    (tmp_path / ".env").write_text(f"DATABASE_PATH={production}\n", encoding="utf-8")
    result = console(tmp_path, "/termine\n", DATABASE_PATH=str(production))
    assert not production.exists()
    assert (tmp_path / "data" / "console.sqlite3").exists()
    assert "data/console.sqlite3" in result.stdout


def test_database_option_chooses_the_file(tmp_path):
    console(tmp_path, "/termine\n", "--database", "elsewhere/demo.sqlite3")
    assert (tmp_path / "elsewhere" / "demo.sqlite3").exists()
    assert not (tmp_path / "data" / "console.sqlite3").exists()


SIGN_UP = "/termine\n1\n1\n#1\n1\n"  # first card, Anmelden, as „Erika“, privacy: agree


def test_pop_ups_files_and_no_logs_in_the_chat(tmp_path):
    # .ics, sign up, check in (anyway: the demo evening is days away), then undo it
    # (the .ics file's own button leads back to the card: 1)
    entries = "/termine\n1\n3\n1\n1\n#1\n1\n/checkin\n#1\n#1\n#1\n#1\n#1\n"
    out = console(tmp_path, entries, "--admin").stdout
    assert "Eingecheckt: 1 von 1" in out
    assert "💬 Pop-up: ↩️ Check-in von Erika zurückgenommen." in out
    saved = list((tmp_path / "data" / "console-files").glob("*.ics"))
    assert len(saved) == 1 and saved[0].read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")
    assert f"saved: data/console-files/{saved[0].name}" in out
    assert " INFO " not in out and "telegram.ext" not in out
    assert "Application started" in (tmp_path / "data" / "console.log").read_text("utf-8")
    conn = sqlite3.connect(tmp_path / "data" / "console.sqlite3")
    (name,) = conn.execute("SELECT name FROM registrations").fetchone()
    conn.close()
    assert name == "Erika"  # '#1' pressed "Als „Erika“ anmelden"


def test_a_typed_number_is_the_answer_when_the_bot_asked(tmp_path):
    out = console(tmp_path, "/termine\n1\n1\n2\n1\n").stdout
    assert "#1 presses button 1" in out
    conn = sqlite3.connect(tmp_path / "data" / "console.sqlite3")
    (name,) = conn.execute("SELECT name FROM registrations").fetchone()
    conn.close()
    assert name == "2"  # typed as the name, not a press of a button


def test_multi_line_entry(tmp_path):
    """A trailing backslash continues the entry: the bot gets one message with a line break
    (which a name may not contain, so the bot says so once, instead of taking two answers)."""
    out = console(tmp_path, "/termine\n1\n1\nErika \\\nMustermann\n").stdout
    assert out.count("keine Zeilenumbrüche") == 1
    assert "Sie melden sich als" not in out


def test_several_people_see_their_messages_labelled(tmp_path):
    out = console(tmp_path, "/als 2\n/termine\n/als 3\n/hilfe\n").stdout
    assert "→ to Person 2 (2)" in out and "→ to Person 3 (3)" in out
    assert "You are now Person 3 (3)." in out


def test_moving_the_clock_sends_due_reminders(tmp_path):
    """The first demo evening is a week after --now (10:00), at 18:30: a week on, its 1-day
    reminder is due, whatever the hour the test runs at (it failed after 18:30, issue 19)."""
    out = console(tmp_path, SIGN_UP + "/zeit +7d\n").stdout
    assert "Console clock: 2026-12-02 10:00 (CET)" in out
    conn = sqlite3.connect(tmp_path / "data" / "console.sqlite3")
    kinds = [row[0] for row in conn.execute("SELECT kind FROM outbox WHERE state = 'sent'")]
    conn.close()
    assert "reminder" in kinds


def test_photo_file_and_location_are_sent_as_a_user_would(tmp_path):
    picture = tmp_path / "bild.png"
    picture.write_bytes(b"\x89PNG picture")
    out = console(tmp_path, f"/foto {picture}\n/datei {picture}\n/ort 48.77 9.18\n/foto nix\n")
    assert "No such file: nix" in out.stdout
    # photo, document and location each reached the bot as a message (an attendee's are
    # not understood); the missing file was not sent at all
    assert out.stdout.count("Das habe ich leider nicht verstanden") == 3


def test_ctrl_c_ends_cleanly_once(tmp_path):
    process = start_console(tmp_path, "--now", AT_NOW)
    assert process.stdout is not None
    for line in process.stdout:  # wait until the console has answered /start
        if line.startswith("[1]"):
            break
    process.send_signal(signal.SIGINT)
    out, err = finish(process)
    assert process.returncode == 0, err
    assert out.count("Bye.") == 1 and "Traceback" not in err


async def save_event(path: Path, days: float, signed_up: int | None = None) -> None:
    """Save the test event ``days`` after NOW into ``path`` as another process would."""
    settings = make_settings(path.parent, database_path=path)
    clock = ManualClock(NOW)
    async with offline_bot(settings, clock=clock) as bot:
        await event_store.save_events(bot.data.db, [make_event(days=days)], clock.now())
        if signed_up is not None:
            await sign_up(bot, clock, signed_up, "umbau-2026")


def test_messages_appear_without_waiting_for_input(tmp_path):
    """A change made by another process (an import) reaches the console person while the
    console waits for input: the heartbeat sends it and the background task prints it."""
    path = tmp_path / "shared.sqlite3"
    asyncio.run(save_event(path, 10, signed_up=CONSOLE_PERSON))
    process = start_console(tmp_path, "--database", str(path), "--now", AT_NOW)
    assert process.stdout is not None
    try:
        for line in process.stdout:  # the console has answered /start and waits
            if line.startswith("[1]"):
                break
        asyncio.run(save_event(path, 11))  # moved: a change notice is queued
        for line in process.stdout:
            if "Änderung: Umbau statt Neubau" in line:
                break
        else:
            raise AssertionError("the change notice never appeared")
    finally:
        finish(process, "/quit\n")
    assert process.returncode == 0


async def save_small_event(path: Path) -> None:
    """One evening with a single seat, so the second person lands on the waitlist."""
    settings = make_settings(path.parent, database_path=path)
    clock = ManualClock(NOW)
    async with offline_bot(settings, clock=clock) as bot:
        await event_store.save_events(bot.data.db, [make_event(days=10, capacity=1)], clock.now())


def test_waitlist_and_promotion_in_one_console(tmp_path):
    """Two people in one console: the second is waitlisted, the first cancels from /meine, and
    the second is told that they moved up once the promotion has settled (PRODUCT §2, §4
    Waitlist; domain.notices.PROMOTION_SETTLE)."""
    path = tmp_path / "one-seat.sqlite3"
    asyncio.run(save_small_event(path))
    entries = f"{SIGN_UP}/als 2\n{SIGN_UP}/als {CONSOLE_PERSON}\n/meine\n3\n1\n/zeit +1m\n"
    out = console(tmp_path, entries, "--database", str(path)).stdout
    waitlisted = out.index("Sie stehen auf der Warteliste, Platz 1")
    cancelled = out.index("abgemeldet", waitlisted)
    promoted = out.index("Sie sind von der Warteliste nachgerückt", cancelled)
    assert out.rfind("→ to Person 2 (2)", cancelled, promoted) > cancelled
    conn = sqlite3.connect(path)
    states = dict(conn.execute("SELECT user_id, status FROM registrations"))
    conn.close()
    assert states == {CONSOLE_PERSON: "cancelled", 2: "confirmed"}


def test_broadcast_and_its_report_in_one_console(tmp_path):
    """An organiser and two subscribers in one console: the broadcast reaches both, and the
    organiser gets the report (the clock moved on so the progress job has run)."""
    subscribe = "/abo\n1\n"
    entries = (
        f"/als 2\n{subscribe}/als 3\n{subscribe}/als {CONSOLE_PERSON}\n"
        "/rundschreiben\nHerzliche Einladung zum nächsten Abend!\n1\n1\n/zeit +1m\n"
    )
    out = console(tmp_path, entries, "--admin").stdout
    sent = out.index("📣 An 2 Personen senden")
    for person in ("→ to Person 2 (2)", "→ to Person 3 (3)"):
        at = out.index(person, sent)
        assert out.index("Herzliche Einladung zum nächsten Abend!", at) < out.index("───", at + 1)
    report = out.index("Bericht zum Rundschreiben an 2 Empfänger:innen", sent)
    assert "✅ zugestellt: 2" in out[report:]


def _minutes_until_the_day_before(hour: int, minute: int) -> int:
    """Console minutes from --now until the day before the first demo evening (a week after
    it, see bot.console.demo) at ``hour:minute`` local time."""
    start = NOW.astimezone(BERLIN)
    local = (start + timedelta(days=6)).replace(hour=hour, minute=minute)
    return int((local.astimezone(UTC) - NOW).total_seconds() // 60) + 1


def test_console_tries_reminder_answer_question_check_in_feedback_and_certificate(tmp_path):
    """Issue 13, point 5: sign up, the reminder's "Ich komme", a question to the speakers,
    check-in as organiser, then /zeit past the evening: feedback request and the PDF."""
    entries = [
        *SIGN_UP.splitlines(),  # the first demo evening counts for 2 Fortbildungsstunden
        f"/zeit +{_minutes_until_the_day_before(19, 30)}m",  # the 1-day reminder is due
        "3",  # Ich komme
        "/termine",
        "1",
        "5",  # ❓ Frage an die Referent:innen
        "Wie finanziert man einen Umbau?",
        "/zeit +22h",  # an hour before the start: the check-in window is open
        "/checkin",
        "1",
        "#1",  # tap Erika (the list also takes a typed name, so # presses)
        "/zeit +6h",  # over, and FEEDBACK_DELAY (2 h) after its end
        "/meine",
        "#2",  # 📄 Teilnahmebescheinigung
    ]
    out = console(tmp_path, "\n".join(entries) + "\n", "--admin").stdout
    assert "✅ Sie sind angemeldet." in out
    assert "⏰ Erinnerung: Umbau statt Neubau (Beispiel)" in out
    assert "💬 Pop-up: Danke für Ihre Zusage!" in out
    assert (
        "Ihre Frage an die Referent:innen ist notiert:\n\nWie finanziert man einen Umbau?" in out
    )
    assert "💬 Pop-up: ✅ Erika ist eingecheckt." in out
    assert "Wie war der Abend?" in out
    assert (
        "Ihre Teilnahmebescheinigung für Umbau statt Neubau (Beispiel): 2 Fortbildungsstunden"
        in out
    )
    name = "Teilnahmebescheinigung-umbau-statt-neubau-2026.pdf"  # its id names its year
    assert f"saved: data/console-files/{name}" in out
    pdf = (tmp_path / "data" / "console-files" / name).read_bytes()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Erika" in text and "2 Fortbildungsstunden" in text
    conn = sqlite3.connect(tmp_path / "data" / "console.sqlite3")
    try:
        [(attendance, checked_in)] = conn.execute(
            "SELECT attendance, checked_in_at FROM registrations"
        ).fetchall()
        [(question,)] = conn.execute("SELECT text FROM questions").fetchall()
        sent = {row[0] for row in conn.execute("SELECT kind FROM outbox WHERE state = 'sent'")}
    finally:
        conn.close()
    assert attendance == COMING and checked_in and question == "Wie finanziert man einen Umbau?"
    assert {"reminder", "feedback", "certificate"} <= sent
