"""``python run.py console``: the whole bot in the terminal, no Telegram account needed.

You type as a Telegram user; the bot's messages are printed as Telegram would show them
(formatting rendered, buttons numbered), pop-ups too, and files are saved under
``data/console-files/``. Its database is ``data/console.sqlite3`` unless ``--database`` names
another; ``DATABASE_PATH`` is never read. Whatever the database, the outbox sender only
handles rows for the console's own people (``bot.sending.sender.limit_recipients``): everything
else stays for the real bot. The console's clock is its own, kept with its database
(``bot.console.timeshift``); buttons of earlier messages are pressed by their tag
(``bot.console.terminal``). Console-only commands are listed in :data:`HELP`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import mimetypes
import re
import signal
import sys
from pathlib import Path

from bot.clock import ConsoleClock
from bot.console.demo import demo_program
from bot.console.terminal import ConsoleScreen, Key, Keyboard, read_entry, start_reader
from bot.console.timeshift import ClockRefused, describe, keep, parse_shift, start_clock
from bot.jobs import RETENTION_JOB
from bot.sending import sender
from bot.settings import Settings
from bot.web.server import ConsolePage, serving_if_free
from storage import events as event_store
from storage import users as user_store
from testing.fake_telegram import FakeUser
from testing.offline import OfflineBot, offline_bot

CONSOLE_DATABASE = Path("data/console.sqlite3")
CONSOLE_LOG = Path("data/console.log")
DEFAULT_USER_ID = 4242
QUIT_WORDS = {"/quit", "/exit", "/q"}
_PRESS = re.compile(r"^(#?)([A-Za-z]{0,2})(\d+)$")  # 2, #2, B2, #B2

HELP = (
    "Type as in Telegram (/start, /termine, /hilfe …). Buttons: 2 presses button 2 of the last "
    "message; every message with buttons is tagged (A), (B) …, and B2 presses button 2 of "
    "message B (an earlier one too); when the bot waits for a typed answer, #2 and #B2 press, "
    "'text sends text as typed. A line ending in \\ continues on the next line (Ctrl-C "
    "discards it).\n"
    "Console: /als N·/as N (be person N), /zeit +2h·/time +2h (move the clock; m h d; kept "
    "with the database), /foto PATH·/photo PATH, /datei PATH·/file PATH, /ort LAT LON·"
    "/location LAT LON, /quit (or Ctrl-D, Ctrl-C)."
)


def console_settings(settings: Settings, args: argparse.Namespace, user_id: int) -> Settings:
    """``--database`` or ``data/console.sqlite3``, never ``DATABASE_PATH``; ``--admin`` makes
    the first person an organiser."""
    database = Path(args.database) if getattr(args, "database", None) else CONSOLE_DATABASE
    update: dict[str, object] = {"database_path": database}
    if args.admin:
        update["admin_ids"] = settings.admin_ids | {user_id}
    return settings.model_copy(update=update)


def configure_console_logging(level: str) -> Path:
    """Log lines go to ``data/console.log``, never into the chat on the screen."""
    CONSOLE_LOG.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(CONSOLE_LOG, encoding="utf-8")
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        level=level,
        handlers=[handler],
        force=True,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return CONSOLE_LOG


async def load_demo_if_empty(settings: Settings, bot: OfflineBot) -> int:
    """Fill an event-less database with the demo program; return how many were loaded."""
    db, clock = bot.data.db, bot.data.clock
    if await event_store.list_all(db):
        return 0
    events = demo_program(settings.tz, clock.now())
    if events:
        await event_store.save_events(db, events, clock.now())
    return len(events)


def _is_number(text: str) -> bool:
    """ASCII digits only: ``²`` or ``١`` are typed text, not a button number."""
    return text.isascii() and text.isdigit()


def read_file(text: str) -> tuple[str, bytes] | None:
    """Name and bytes of the file at path ``text`` (``~`` allowed); ``None`` when there is none."""
    path = Path(text).expanduser()
    if not text or not path.is_file():
        return None
    return path.name, path.read_bytes()


class Console:
    """Feeds what is typed to the bot as the current person; console commands act directly."""

    def __init__(self, bot: OfflineBot, screen: ConsoleScreen, clock: ConsoleClock, args):
        self.bot = bot
        self.screen = screen
        self.clock = clock
        self.args = args
        self.user = self.person(args.user_id or DEFAULT_USER_ID, args.name)

    def person(self, user_id: int, name: str | None = None) -> FakeUser:
        """Person ``user_id`` of this console, created on first use."""
        if user_id not in self.screen.people:
            user = self.bot.user(
                user_id, first_name=name or f"Person {user_id}", language_code=self.args.language
            )
            self.screen.add(user)
        return self.screen.people[user_id]

    async def handle(self, entry: str) -> bool:
        """One entry; ``False`` ends the console."""
        word, _, rest = entry.strip().partition(" ")
        command = word.lower()
        if command in QUIT_WORDS:
            return False
        if command in ("/als", "/as"):
            self.switch(rest)
        elif command in ("/zeit", "/time"):
            await self.move_clock(rest)
        elif command in ("/foto", "/photo"):
            await self.send_file(rest, photo=True)
        elif command in ("/datei", "/file"):
            await self.send_file(rest, photo=False)
        elif command in ("/ort", "/location"):
            await self.send_location(rest)
        else:
            await self.type(entry.strip())
        await self.settle()
        return True

    async def type(self, text: str) -> None:
        """Text to the bot, or a button press (see :data:`HELP`)."""
        if text.startswith("'"):
            await self.user.send(text[1:] or text)
            return
        press = _PRESS.match(text) if text.isascii() else None
        if press is None or (not press[1] and self.screen.waits_for_text(self.user)):
            await self.user.send(text)  # no press, or the bot waits for this as a typed answer
            return
        forced, tag, number = press.groups()
        if not (forced or tag or self.screen.latest_with_buttons(self.user)):
            await self.user.send(text)  # a number, and no buttons to press
        elif tag and not self.screen.is_tag(tag):
            self.screen.note(f"(no message {tag.upper()} on the screen; '{text} sends it as text)")
        else:
            await self.screen.press(self.user, int(number), tag or None)

    def switch(self, rest: str) -> None:
        """``/als N``: continue as person N."""
        if not _is_number(rest.strip().lstrip("-")):
            self.screen.note("/als N: N is a user id, e.g. /als 2")
            return
        self.user = self.person(int(rest.strip()))
        self.screen.current = self.user.user_id
        self.screen.note(f"You are now {self.screen.label(self.user.user_id)}.")

    async def move_clock(self, rest: str) -> None:
        """``/zeit +2h``: move the clock forward and run the jobs that have become due."""
        delta = parse_shift(rest)
        if delta is None:
            self.screen.note("/zeit +2h: a number and a unit m, h or d, e.g. /zeit +1d")
            return
        shared = getattr(self.args, "database", None) is not None  # not the console's own
        if shared and await user_store.anyone_but(self.bot.data.db, self.screen.ids):
            self.screen.note(
                "/zeit is off on a database with other people: their reminders would be"
                " queued early (the console's own database has no such limit)."
            )
            return
        self.clock.advance(delta)
        await keep(self.bot.data.db, self.clock)
        self.screen.note(f"Console clock: {describe(self.clock, self.bot.data.settings.tz)}")
        job_queue = self.bot.app.job_queue
        for job in job_queue.jobs() if job_queue is not None else ():
            if job.name not in (sender.OUTBOX_JOB, sender.DRAIN_JOB):
                await job.run(self.bot.app)

    async def send_file(self, rest: str, photo: bool) -> None:
        """``/foto PATH`` or ``/datei PATH``: send a file as a user would."""
        found = read_file(rest.strip())
        if found is None:
            self.screen.note(f"No such file: {rest.strip() or '(give a PATH)'}")
            return
        name, content = found
        if photo:
            await self.user.send_photo(photo=content)
        else:
            mime = mimetypes.guess_type(name)[0]
            await self.user.send_document(content=content, filename=name, mime_type=mime)

    async def send_location(self, rest: str) -> None:
        """``/ort LAT LON``: share a location."""
        try:
            latitude, longitude = (float(part) for part in rest.replace(",", " ").split())
        except ValueError:
            self.screen.note("/ort LAT LON, e.g. /ort 48.7707 9.1866")
            return
        await self.user.send_location(latitude, longitude)

    async def settle(self) -> None:
        """Let kicked jobs run and send what became due for the console's people, then show."""
        await asyncio.sleep(0)
        await sender.drain_outbox(self.bot.app)
        self.screen.flush()


async def _show_in_background(screen: ConsoleScreen) -> None:
    """Messages for any console person appear as they arrive, without waiting for input."""
    while True:
        await asyncio.sleep(0.2)
        screen.flush()


def banner(settings: Settings, args, loaded: int, log_file: Path, page: ConsolePage) -> str:
    """Who you are, the database, the page (or why it is not served), then :data:`HELP`."""
    role = "organiser" if args.admin else "attendee"
    demo = f", {loaded} demo events loaded" if loaded else ""
    lines = [
        f"Kraft der Region – console. You are user {args.user_id or DEFAULT_USER_ID} ({role}); "
        f"database {settings.database_path}{demo}; log {log_file}."
    ]
    if page.address:
        lines.append(f"Public program page: {page.address}/")
    elif page.problem:
        lines.append(f"Public program page not served: {page.problem}")
    return "\n".join([*lines, HELP])


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    user_id = args.user_id or DEFAULT_USER_ID
    settings = console_settings(settings, args, user_id)
    settings.database_path.parent.mkdir(parents=True, exist_ok=True)
    log_file = configure_console_logging(settings.log_level)
    shared = getattr(args, "database", None) is not None
    try:  # the clock is set before the bot starts: its start-up catches up on what is due
        clock, source = await start_clock(
            settings.database_path, settings.tz, args.now, shared, {user_id}
        )
    except ClockRefused as refused:
        print(refused, file=sys.stderr)
        return 2
    people: set[int] = set()
    async with offline_bot(settings, clock=clock, recipients=people) as bot:
        if bot.app.job_queue is not None:  # never delete real people's data on a moved clock
            for job in bot.app.job_queue.get_jobs_by_name(RETENTION_JOB):
                job.schedule_removal()
        await bot.app.start()
        try:
            async with serving_if_free(bot.app) as page:
                loaded = await load_demo_if_empty(settings, bot)
                print(banner(settings, args, loaded, log_file, page))
                print(f"Console clock: {describe(clock, settings.tz)} ({source})\n" + "─" * 40)
                await _converse(
                    Console(bot, ConsoleScreen(bot.api, people, sys.stdout.isatty()), clock, args)
                )
        finally:
            await bot.app.stop()
    print("Bye.")
    return 0


async def _converse(console: Console) -> None:
    """Read entries until the end of input, ``/quit`` or Ctrl-C at the prompt."""
    loop = asyncio.get_running_loop()
    queue: Keyboard = asyncio.Queue()
    with contextlib.suppress(NotImplementedError):  # Ctrl-C is read like a key
        loop.add_signal_handler(signal.SIGINT, queue.put_nowait, Key.CTRL_C)
    start_reader(loop, queue)
    await console.handle("/start")
    printer = asyncio.create_task(_show_in_background(console.screen))
    try:
        while (
            entry := await read_entry(queue, sys.stdin.isatty(), console.screen.note)
        ) is not None:
            if entry.strip() and not await console.handle(entry):
                break
    finally:
        printer.cancel()
        with contextlib.suppress(NotImplementedError):
            loop.remove_signal_handler(signal.SIGINT)


def run_console(settings: Settings, args: argparse.Namespace) -> int:
    """Entry point of ``python run.py console``."""
    try:
        return asyncio.run(_run(settings, args))
    except KeyboardInterrupt:  # before the console took over Ctrl-C
        print()
        return 0
    except BrokenPipeError:  # output cut off early, e.g. piped into `head`: not an error
        sys.stderr.close()
        return 0
