"""The public pages never slow the bot (issue 22, PRODUCT §8): the program is read off the
event loop and once per change, pages are kept until a write or the next phase change, the
past is paged by year, and half-sent or malformed requests cost nothing — all over real HTTP."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest

from bot.web.server import WebServer, bind_socket
from storage.registrations import sign_up
from storage.users import ensure_user
from tests.conftest import NOW, make_event
from tests.web_support import served


@pytest.fixture
def reads(monkeypatch):
    """Every read of the whole program, by the thread it ran on."""
    from bot.web import cache as page_cache
    from storage.program import read_program

    threads: list[threading.Thread] = []

    def counted(conn):
        threads.append(threading.current_thread())
        return read_program(conn)

    monkeypatch.setattr(page_cache, "read_program", counted)
    return threads


async def test_a_page_is_kept_until_a_write(bot, add_events, reads):
    await add_events(make_event("bald", days=7))
    async with served(bot) as web:
        first = (await web.get("/")).text
        again = (await web.get("/")).text
        assert len(reads) == 1 and again == first and "noch 80 Plätze frei" in first
        await ensure_user(bot.data.db, 501, "de", NOW)
        await sign_up(bot.data.db, "bald", 501, "Erika Muster", NOW)
        after = (await web.get("/")).text
    assert "noch 79 Plätze frei" in after
    assert len(reads) == 2


async def test_a_write_by_another_process_is_seen_too(bot, add_events):
    import sqlite3

    await add_events(make_event("bald", days=7, title="Alter Titel"))
    async with served(bot) as web:
        assert "Alter Titel" in (await web.get("/termine/bald")).text
        other = sqlite3.connect(bot.data.db.path)  # like `run.py import` while the bot runs
        with other:
            other.execute("UPDATE events SET title = 'Neuer Titel' WHERE id = 'bald'")
        other.close()
        html = (await web.get("/termine/bald")).text
    assert "Neuer Titel" in html and "Alter Titel" not in html


async def test_a_page_is_stale_at_the_next_phase_change(bot, clock, add_events, reads):
    deadline = NOW + timedelta(hours=2)
    await add_events(
        make_event("bald", days=7, registration_closes_at=deadline),
        make_event("spaeter", days=30),
    )
    async with served(bot) as web:
        before = (await web.get("/")).text
        clock.set(deadline - timedelta(seconds=1))
        assert (await web.get("/")).text == before  # kept: nothing changed yet
        clock.set(deadline)
        after = (await web.get("/")).text
        event_page = (await web.get("/termine/bald")).text
    assert before.count("In Telegram anmelden") == 2
    assert after.count("In Telegram anmelden") == 1 and "Anmeldung geschlossen" in after
    assert "Anmeldung geschlossen" in event_page
    assert len(reads) == 1  # the program itself did not change: rendered again, not read


async def test_an_evening_moves_to_the_past_when_it_ends(bot, clock, add_events):
    await add_events(make_event("bald", days=1, title="Gleich vorbei"))
    async with served(bot) as web:
        assert "Gleich vorbei" in (await web.get("/")).text
        assert "Gleich vorbei" not in (await web.get("/vergangen")).text
        clock.advance(timedelta(days=2))
        assert "Gleich vorbei" not in (await web.get("/")).text
        assert "Gleich vorbei" in (await web.get("/vergangen")).text


def _at(year: int, month: int) -> datetime:
    return datetime(year, month, 10, 17, 30, tzinfo=UTC)


async def test_the_past_shows_the_latest_year_and_links_the_others(bot, add_events):
    await add_events(
        make_event("alt", starts_at=_at(2024, 5), title="Abend 2024"),
        make_event("fruehjahr", starts_at=_at(2026, 3), title="Frühjahr 2026"),
        make_event("sommer", starts_at=_at(2026, 7), title="Sommer 2026"),
        make_event("kommt", days=7, title="Noch nicht"),
    )
    async with served(bot) as web:
        latest = (await web.get("/vergangen")).text
        older = await web.get("/vergangen", params={"jahr": "2024"})
        english = (await web.get("/vergangen", params={"jahr": "2024", "lang": "en"})).text
        empty = await web.get("/vergangen", params={"jahr": "2025"})
        nonsense = await web.get("/vergangen", params={"jahr": "x' OR 1"})
    assert "Vergangene Termine 2026" in latest
    assert latest.index("Sommer 2026") < latest.index("Frühjahr 2026")
    assert "Abend 2024" not in latest and "Noch nicht" not in latest
    assert 'href="/vergangen?jahr=2024"' in latest
    assert older.status_code == 200 and "Abend 2024" in older.text
    assert "Sommer 2026" not in older.text and 'href="/vergangen?jahr=2026"' in older.text
    assert "Past events of 2024" in english
    assert 'href="?jahr=2024&amp;lang=de"' in english  # the language switch keeps the year
    assert 'href="/vergangen?jahr=2026&amp;lang=en"' in english
    assert empty.status_code == 404 and nonsense.status_code == 404


async def test_web_reads_run_off_the_event_loop(bot, add_events, reads):
    await add_events(make_event("bald", days=7))
    async with served(bot) as web:
        for path in ("/", "/vergangen", "/termine/bald", "/termine/bald.ics", "/kalender.ics"):
            assert (await web.get(path)).status_code == 200
    assert reads and threading.main_thread() not in reads


async def test_a_slow_web_read_does_not_delay_the_bot(bot, add_events, monkeypatch):
    """The program read is held on its thread until the bot has answered /termine."""
    from bot.web import cache as page_cache
    from storage.program import read_program

    await add_events(make_event("bald", days=7, title="Umbau statt Neubau"))
    release, started = threading.Event(), threading.Event()

    def held(conn):
        started.set()
        assert release.wait(30), "never released"
        return read_program(conn)

    monkeypatch.setattr(page_cache, "read_program", held)
    async with served(bot) as web:
        page = asyncio.create_task(web.get("/"))
        assert await asyncio.to_thread(started.wait, 30)
        answer = await bot.user(1).send("/termine")  # answered while the read is held
        assert not page.done()
        release.set()
        response = await page
    assert "Umbau statt Neubau" in answer[0].text
    assert response.status_code == 200 and "Umbau statt Neubau" in response.text


@pytest.fixture
async def raw_server(bot):
    server = WebServer(bot.app, bind_socket("127.0.0.1", 0), header_timeout=0.2, own_thread=True)
    await server.start()
    host, port = server.sock.getsockname()[:2]
    try:
        yield host, port
    finally:
        await server.stop()


async def test_a_half_sent_request_is_closed_after_the_header_timeout(raw_server):
    reader, writer = await asyncio.open_connection(*raw_server)
    writer.write(b"GET / HTTP/1.1\r\nHost: example\r\nX-Slow: ")  # never finished
    await writer.drain()
    assert await asyncio.wait_for(reader.read(), 10) == b""  # closed by the server
    writer.close()


async def test_a_whole_request_is_still_answered(raw_server):
    reader, writer = await asyncio.open_connection(*raw_server)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n")
    assert (await asyncio.wait_for(reader.read(), 10)).startswith(b"HTTP/1.1 ")
    writer.close()


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET / HTTP/1.1\r\nHost: example\r\nContent-Length: zwei\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: example\r\nBroken header line\r\n\r\n",
    ],
)
async def test_a_malformed_request_is_one_warning_line(raw_server, caplog, request_bytes):
    caplog.set_level(logging.DEBUG, logger="aiohttp")
    reader, writer = await asyncio.open_connection(*raw_server)
    writer.write(request_bytes)
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    assert answer == b"" or answer.split(b"\r\n")[0].endswith(b" 400 Bad Request")
    records = [r for r in caplog.records if r.name.startswith("aiohttp")]
    assert len(records) == 1, [r.getMessage() for r in records]
    [record] = records
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "\n" not in record.getMessage() and "127.0.0.1" not in record.getMessage()
