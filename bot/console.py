"""``python run.py console``: the whole bot in the terminal, no Telegram account needed.

You type as a Telegram user; the bot's messages are printed as Telegram would show them
(formatting rendered, buttons numbered). Typing a number presses that button of the latest
message with buttons. It uses its own database (``data/console.sqlite3`` unless
``DATABASE_PATH`` is set) and loads ``examples/program.yaml`` into it when it has no events.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from bot.clock import Clock
from bot.settings import Settings
from bot.web.server import serving_if_free
from storage import events as event_store
from testing.fake_telegram import FakeUser, SentMessage, render_for_terminal
from testing.offline import offline_bot

CONSOLE_DATABASE = Path("data/console.sqlite3")
EXAMPLE_PROGRAM = Path(__file__).resolve().parent.parent / "examples" / "program.yaml"
DEFAULT_USER_ID = 4242
QUIT_WORDS = {"/quit", "/exit", "/q"}


def console_settings(settings: Settings, args: argparse.Namespace, user_id: int) -> Settings:
    """Its own database unless ``DATABASE_PATH`` is set; ``--admin`` makes the user an
    organiser."""
    update: dict[str, object] = {}
    if "database_path" not in settings.model_fields_set:
        update["database_path"] = CONSOLE_DATABASE
    if args.admin:
        update["admin_ids"] = settings.admin_ids | {user_id}
    return settings.model_copy(update=update)


async def load_examples_if_empty(settings: Settings, db: object, clock: Clock) -> int:
    """Fill an empty console database with the example program; return how many were loaded."""
    from domain.program import parse_program

    if await event_store.list_all(db) or not EXAMPLE_PROGRAM.exists():  # type: ignore[arg-type]
        return 0
    events = parse_program(EXAMPLE_PROGRAM.read_text(encoding="utf-8"), settings.tz)
    await event_store.save_events(db, events, clock.now())  # type: ignore[arg-type]
    return len(events)


class Console:
    """Reads lines, feeds them to the bot as one user, prints what the bot shows."""

    def __init__(self, user: FakeUser, color: bool):
        self.user = user
        self.color = color
        self.cursor = user.api.cursor(user.chat_id)

    def show(self, messages: list[SentMessage]) -> None:
        """Print bot messages, separated like chat bubbles."""
        for message in messages:
            print(render_for_terminal(message, self.color))
            print("─" * 40)
        sys.stdout.flush()

    async def handle(self, line: str) -> None:
        """One line of input: a button number, or text/command typed to the bot.

        A number presses a button of the bot's latest message when that message has buttons;
        otherwise (the bot asked a question, e.g. for a capacity) it is sent as text. A
        leading ``'`` always sends the rest as text.
        """
        messages = self.user.messages
        latest = messages[-1] if messages else None
        if line.isascii() and line.isdigit() and latest is not None and latest.buttons:
            await self.press(latest, int(line))
        else:
            await self.user.send(line.removeprefix("'") or line)

    async def press(self, latest: SentMessage, number: int) -> None:
        """Press button ``number``; a link button into this bot is followed as ``/start``."""
        buttons = [button for row in latest.buttons for button in row]
        if not 1 <= number <= len(buttons):
            print(f"(no button {number}; the last message has {len(buttons)})")
            return
        button = buttons[number - 1]
        if button.callback_data is not None:
            await self.user.press(number, latest)
            return
        start = parse_qs(urlparse(button.url or "").query).get("start")
        if start:
            await self.user.send(f"/start {start[0]}")
        else:
            print(f"(opens {button.url} in the browser)")

    def flush(self) -> None:
        """Print whatever the bot sent or edited since the last look."""
        self.show(self.cursor.new())


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    user_id = args.user_id or DEFAULT_USER_ID
    settings = console_settings(settings, args, user_id)
    clock = Clock()
    async with (
        offline_bot(settings, clock=clock, start=True) as bot,
        serving_if_free(bot.app) as web_address,
    ):
        if web_address:
            print(f"The public program page: {web_address}/")
        loaded = await load_examples_if_empty(settings, bot.data.db, clock)
        user = bot.user(user_id, first_name=args.name, language_code=args.language)
        console = Console(user, color=sys.stdout.isatty())
        role = "organiser" if args.admin else "attendee"
        print(
            f"Kraft der Region – console. You are user {user_id} ({role}); database "
            f"{settings.database_path}{f', {loaded} example events loaded' if loaded else ''}.\n"
            "Type as in Telegram (/start, /termine, /hilfe …); a number presses that button of "
            "the last message ('42 sends 42 as text); /quit or Ctrl-D ends.\n" + "─" * 40
        )
        loop = asyncio.get_running_loop()
        await console.handle("/start")
        console.flush()
        while True:
            if sys.stdin.isatty():
                print("> ", end="", flush=True)
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:  # end of input / Ctrl-D
                break
            line = line.strip()
            if not line:
                continue
            if line.lower() in QUIT_WORDS:
                break
            await console.handle(line)
            await asyncio.sleep(0)  # let background jobs that were kicked run
            console.flush()
    print("Bye.")
    return 0


def run_console(settings: Settings, args: argparse.Namespace) -> int:
    """Entry point of ``python run.py console``."""
    try:
        return asyncio.run(_run(settings, args))
    except KeyboardInterrupt:
        print("\nBye.")
        return 0
    except BrokenPipeError:  # output cut off early, e.g. piped into `head`: not an error
        sys.stderr.close()
        return 0
