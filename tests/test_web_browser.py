"""The public program in a real headless browser (Debian's ``chromium``), at phone width.

Skipped, with the reason shown, where no Chromium is installed (``apt-get install chromium``).
The screenshot is written to ``test-artifacts/web-phone.png`` for the reader of the test run.
"""

from __future__ import annotations

import asyncio
import shutil
import struct
from pathlib import Path

import pytest

from testing.faketime import without_faketime
from tests.conftest import make_event
from tests.web_support import served

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PHONE = (390, 844)  # CSS pixels of a common phone

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="no headless Chromium: apt-get install chromium to run the real-browser check",
)


async def _chromium(profile: Path, *args: str) -> bytes:
    # Every host but the test server is unreachable: a third-party request would fail loudly.
    process = await asyncio.create_subprocess_exec(
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--accept-lang=de-DE,de",
        f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--window-size={PHONE[0]},{PHONE[1]}",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=without_faketime(),
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=90)
    assert process.returncode == 0
    return out


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


async def test_program_renders_at_phone_width_in_a_real_browser(bot, add_events, tmp_path):
    await add_events(
        make_event("bald", days=7, title="Umbau statt Neubau"),
        make_event("spaeter", days=30, title="Allianzen für den Bestand"),
    )
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "web-phone.png"
    screenshot.unlink(missing_ok=True)
    async with served(bot) as web:
        url = f"{web.base_url}/"
        dom = (await _chromium(tmp_path / "dom", "--dump-dom", url)).decode()
        await _chromium(tmp_path / "shot", f"--screenshot={screenshot}", url)
    assert '<html lang="de">' in dom
    assert "Die nächsten Termine" in dom
    assert dom.index("Umbau statt Neubau") < dom.index("Allianzen für den Bestand")
    assert "In Telegram anmelden" in dom and "noch 80 Plätze frei" in dom
    assert screenshot.exists() and screenshot.stat().st_size > 10_000
    assert _png_size(screenshot)[0] == PHONE[0]
    print(f"screenshot of / at phone width: {screenshot}")
