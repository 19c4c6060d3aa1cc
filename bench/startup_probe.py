"""Start the bot on an existing database and report how long until it is ready.

``python -m bench.startup_probe DATABASE``: prints one JSON line with the seconds from the
start of this module (before the bot and python-telegram-bot are imported) to the end of
``post_init`` (database opened and migrated, in-flight outbox rows closed, reminder catch-up,
command menus set), and the peak resident memory of this process.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import asyncio  # noqa: E402 (timed from before the imports on purpose)
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.settings import Settings  # noqa: E402
from testing.fake_telegram import FakeBotApi  # noqa: E402

IMPORTED = time.perf_counter()


def peak_rss_kib() -> int:
    """Peak resident memory of this process image in KiB.

    Linux: ``VmHWM`` of /proc/self/status. ``ru_maxrss`` is not used there because Linux
    carries it over ``execve`` from the forked parent, so a big parent inflates it.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS


async def main(path: Path) -> dict:
    settings = Settings(_env_file=None, database_path=path, bot_token=None)  # type: ignore[call-arg]
    application = build_application(settings, request=FakeBotApi())
    await application.initialize()
    await application.post_init(application)  # type: ignore[misc]
    ready = time.perf_counter()
    caught_up = await application.bot_data.db.fetch_value(
        "SELECT count(*) FROM outbox WHERE kind = 'reminder'"
    )
    await application.shutdown()
    await application.post_shutdown(application)  # type: ignore[misc]
    return {
        "seconds": round(ready - STARTED, 3),
        "import_seconds": round(IMPORTED - STARTED, 3),
        "peak_rss_mb": round(peak_rss_kib() / 1024, 1),
        "reminders_caught_up": caught_up,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(Path(sys.argv[1])))))
