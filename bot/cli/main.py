"""The command-line verbs of ``run.py`` (PRODUCT §2). Each returns the process exit code:
0 success, 2 invalid input or configuration (one line on stderr, never a traceback)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import socket
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from bot.console.timeshift import console_moment
from bot.settings import ConfigError, Settings, load_settings
from storage.preflight import (
    database_problem,
    one_line,
    release_instance_lock,
    take_instance_lock,
    write_problem,
)

EXIT_OK = 0
EXIT_INVALID = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python run.py",
        description="Telegram bot of »Kraft der Region – Macher:innengespräche«. "
        "Without a verb the bot runs (long polling, or webhook when WEBHOOK_URL is set).",
    )
    verbs = parser.add_subparsers(dest="verb")
    console = verbs.add_parser("console", help="the whole bot in the terminal, no Telegram needed")
    console.add_argument("--user-id", type=int, default=None, help="Telegram user id to act as")
    console.add_argument("--admin", action="store_true", help="act as an organiser")
    console.add_argument("--name", default="Erika", help="first name of the console user")
    console.add_argument("--language", default="de", help="Telegram language code")
    console.add_argument(
        "--database", default=None, help="SQLite file (default data/console.sqlite3)"
    )
    console.add_argument(
        "--now",
        type=console_moment,
        default=None,
        metavar="YYYY-MM-DDTHH:MM",
        help="start the console's clock there, local time in TIMEZONE (default: the clock "
        "kept in its database, else real time)",
    )
    verbs.add_parser("import", help="validate and upsert a program file").add_argument("file")
    verbs.add_parser("export", help="write the current program").add_argument("file")
    attendees = verbs.add_parser("attendees", help="attendee list as CSV on stdout")
    attendees.add_argument("event_id")
    attendees.add_argument(
        "--meldeliste",
        action="store_true",
        help="the Meldeliste of an evening with cpd_hours: checked-in attendees, hours and "
        "certificate numbers",
    )
    verbs.add_parser("backup", help="consistent copy of the database").add_argument("file")
    return parser


def _say(problem: object) -> None:
    """A start error: one line on stderr, whatever the message contains."""
    print(one_line(problem), file=sys.stderr)


def _settings_or_exit() -> Settings | None:
    try:
        return load_settings()
    except ConfigError as exc:
        _say(exc)
        return None


class _NoRetryLoopTraceback(logging.Filter):
    """PTB logs an aborted start-up retry loop with the whole network traceback; :func:`run_bot`
    explains the cause in one line instead, so the log keeps the line but not the traceback.
    A rejected token is dropped altogether: its traceback names the token itself, and
    :func:`run_bot` says all there is to say."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith("%s Invalid token"):
            return False
        if message.startswith("%s Failed run number") and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True


def configure_logging(level: str) -> None:
    """Plain log lines on stderr; HTTP client chatter only at WARNING."""
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level, stream=sys.stderr
    )
    logging.getLogger("telegram.ext").addFilter(_NoRetryLoopTraceback())
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _warn_once_started(application: Application, settings: Settings) -> None:
    """One WARNING once the bot has started (after ``post_init``, so that a start error stays
    the one line it is) when ``PRIVACY_CONTACT`` is unset: the built-in privacy notice then
    names the chamber without the contact details Art. 13 DSGVO asks for."""
    if settings.privacy_contact is not None:
        return
    started = application.post_init

    async def post_init(app: Application) -> None:
        if started is not None:
            await started(app)
        logging.getLogger(__name__).warning(
            "PRIVACY_CONTACT is not set: the built-in privacy notice names the chamber without"
            " contact details (Art. 13 DSGVO asks for name, postal and e-mail address)"
        )

    application.post_init = post_init


def main(argv: Sequence[str]) -> int:
    """Dispatch one CLI verb; a full disk ends any of them with one line instead of a
    traceback (see :func:`storage.preflight.write_problem`)."""
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except (OSError, sqlite3.Error) as exc:
        problem = write_problem(_database_path(), exc)
        if problem is None:
            raise
        _say(problem)
        return EXIT_INVALID


def _database_path() -> Path | None:
    """``DATABASE_PATH`` as configured, for naming it in an error (``None`` if unreadable)."""
    try:
        return load_settings().database_path
    except ConfigError:
        return None


def _dispatch(args: argparse.Namespace) -> int:
    """Run the verb ``args`` names."""
    if args.verb == "import":
        from bot.cli.program import import_program

        return import_program(args.file)
    if args.verb == "export":
        from bot.cli.program import export_program

        return export_program(args.file)
    settings = _settings_or_exit()
    if settings is None:
        return EXIT_INVALID
    problem = database_problem(
        settings.database_path, must_exist=args.verb in ("attendees", "backup")
    )
    if problem:
        _say(problem)
        return EXIT_INVALID
    if args.verb == "console":
        from bot.console.session import run_console

        return run_console(settings, args)
    if args.verb == "attendees":
        from bot.cli.data import print_attendees

        return asyncio.run(print_attendees(settings, args.event_id, args.meldeliste))
    if args.verb == "backup":
        from bot.cli.data import backup

        return asyncio.run(backup(settings, args.file))
    return run_bot(settings)


def run_bot(settings: Settings) -> int:
    """Run against Telegram until stopped: polling, or a webhook when ``WEBHOOK_URL`` is set."""
    if settings.bot_token is None:
        _say(
            "BOT_TOKEN is not set. Get a token from @BotFather and set BOT_TOKEN, "
            "or try the bot without Telegram: python run.py console"
        )
        return EXIT_INVALID
    lock, problem = take_instance_lock(settings.database_path)
    if problem:
        _say(problem)
        return EXIT_INVALID
    try:
        return _run_locked(settings)
    finally:
        release_instance_lock(lock)


def _run_locked(settings: Settings) -> int:
    """:func:`run_bot` while this process holds the database's single-instance lock."""
    configure_logging(settings.log_level)
    from bot.app import build_application
    from bot.web.server import PortTaken, attach, bind_socket
    from bot.web.webhook import WebhookRefused, bind_webhook_socket

    webhook = settings.webhook_url is not None
    sock = hook_sock = None
    try:
        sock = bind_socket(settings.web_listen, settings.web_port) if settings.web_port else None
        hook_sock = bind_webhook_socket(settings) if webhook else None
    except PortTaken as exc:
        if sock is not None:
            sock.close()
        _say(exc)
        return EXIT_INVALID
    application = build_application(settings, polls=not webhook)
    _warn_once_started(application, settings)
    if sock is not None:
        attach(application, sock)  # the public program (PRODUCT §8), same process, own thread
    # Everything imported and built so far lives as long as the process: move it out of the
    # garbage collector's view, so that a full collection does not walk ~77,000 objects every
    # time (measured: a 9 ms pause landing on whichever update is being handled, ~0 ms after).
    gc.collect()
    gc.freeze()
    try:
        _serve(application, settings, hook_sock)
    except WebhookRefused as exc:
        _say(exc)
        return EXIT_INVALID
    except InvalidToken:
        _say("BOT_TOKEN was rejected by Telegram; check it with @BotFather.")
        return EXIT_INVALID
    except NetworkError as exc:
        _say(f"Cannot reach the Bot API at {settings.bot_api_base_url}: {exc}")
        return 1
    except TelegramError as exc:
        _say(f"Telegram refused to start the bot: {exc}")
        return 1
    finally:
        gc.unfreeze()  # the bot has stopped (tests call this function in their own process)
        if sock is not None:
            sock.close()
    return EXIT_OK


def _serve(application: Application, settings: Settings, hook_sock: socket.socket | None) -> None:
    """Polling by default; our own webhook endpoint (bot.web.webhook) when configured.

    Both run until SIGINT/SIGTERM; then updates stop coming in, the handlers that are running
    finish, ``post_shutdown`` closes the database, and the function returns.
    """
    from bot.app import ALLOWED_UPDATES

    if hook_sock is not None:
        from bot.web.webhook import serve_webhook

        asyncio.run(serve_webhook(application, settings, hook_sock, ALLOWED_UPDATES))
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
