"""Issue 23 bullet 6 (privacy part), PRODUCT §2 and §6: the built-in privacy notice per Art. 13
DSGVO names the controller's contact (PRIVACY_CONTACT), the purposes, both periods with their
configured values, the rights and the right to complain to the LfDI Baden-Württemberg; without
PRIVACY_CONTACT, ``python run.py`` says so in one WARNING at start.

Every test here fails on 61def71: the notice had no contact, no CPD period and no word of a
supervisory authority, and there was no PRIVACY_CONTACT.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from testing.fake_telegram import FakeBotApi
from testing.fake_telegram.html import Entity
from testing.fake_telegram.http import LoopbackBotApi
from testing.offline import offline_bot
from tests.conftest import make_settings
from tests.process_support import RUN, clean_env, lines

TOKEN = "123456:privacy-contact-token"

CONTACT = "Architektenkammer Baden-Württemberg, Danneckerstraße 54, 70182 Stuttgart, <dsb@akbw.de>"


async def _notices(tmp_path, clock, **settings):
    async with offline_bot(make_settings(tmp_path, **settings), clock=clock) as bot:
        german = await bot.user(1).send("/datenschutz")
        english = await bot.user(2, language_code="en").send("/privacy")
        assert not bot.api.rejections
    return "\n".join(m.text for m in german), "\n".join(m.text for m in english)


async def test_the_notice_names_contact_purposes_periods_rights_and_the_lfdi(tmp_path, clock):
    german, english = await _notices(
        tmp_path,
        clock,
        privacy_contact=CONTACT,
        data_retention_days=90,
        cpd_retention_years=5,
    )
    # NOW is in November 2026: an evening this year is kept to the end of 2031.
    for part in (
        f"Verantwortlich für die Verarbeitung Ihrer Daten ist: {CONTACT}",
        "Ihre Fortbildung nachweisen",
        "Meldeliste",
        "90 Tage nach dem Termin",
        "plus 5 Jahre, für einen Termin im Jahr 2026 also bis zum 31. Dezember 2031",
        "Auskunft, Berichtigung, Löschung, Einschränkung der Verarbeitung, Datenübertragbarkeit",
        "Widerspruch",
        "Landesbeauftragten für den Datenschutz und die Informationsfreiheit Baden-Württemberg",
        "(LfDI BW)",
        "„nicht mehr gespeichert (gelöscht)“",
    ):
        assert part in german, part
    for part in (
        f"The controller responsible for processing your data is: {CONTACT}",
        "Proving your professional development",
        "deleted 90 days after it",
        "plus 5 years, for an event in 2026 until 31 December 2031",
        "access, rectification, erasure, restriction of processing, data portability",
        "lodge a complaint with a data protection supervisory authority",
        "(LfDI BW",
    ):
        assert part in english, part


async def test_without_a_contact_the_notice_names_the_chamber_alone(tmp_path, clock):
    german, english = await _notices(tmp_path, clock, cpd_retention_years=1)
    assert (
        "Verantwortlich für die Verarbeitung Ihrer Daten ist die Architektenkammer "
        "Baden-Württemberg." in german
    )
    assert "180 Tage nach dem Termin" in german
    assert "plus 1 Jahr, für einen Termin im Jahr 2026 also bis zum 31. Dezember 2027" in german
    assert "plus 1 year, for an event in 2026 until 31 December 2027" in english
    assert "Danneckerstraße" not in german and "LfDI BW" in german


def _start_and_stop(tmp_path, **variables) -> str:
    """``python run.py`` against the fake Bot API until it has answered a /start, then SIGTERM;
    returns its stderr."""
    tmp_path.mkdir()
    with LoopbackBotApi(FakeBotApi(token=TOKEN)).in_thread() as server:
        env = clean_env(tmp_path, BOT_TOKEN=TOKEN, BOT_API_BASE_URL=server.base_url, **variables)
        process = subprocess.Popen(
            [sys.executable, RUN],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        try:

            def queue(api: FakeBotApi) -> None:
                api.register_user({"id": 77, "is_bot": False, "first_name": "Erika"})
                message = api.record_incoming(77, 77, "/start", [Entity("bot_command", 0, 6)])
                api.queue_update({"message": message})

            server.read(queue)
            deadline = time.monotonic() + 60
            while not server.read(lambda api: bool(api.messages(77))):
                assert time.monotonic() < deadline, "the bot never answered"
                time.sleep(0.05)
        finally:
            process.send_signal(signal.SIGTERM)
            _, errors = process.communicate(timeout=60)
    assert process.returncode == 0, errors
    return errors


def test_python_run_py_warns_once_without_a_privacy_contact(tmp_path):
    """Started and answering: one WARNING names PRIVACY_CONTACT; with it set, none. (A start
    that fails stays one line: the warning comes after post_init.)"""
    errors = _start_and_stop(tmp_path / "without")
    warnings = [line for line in lines(errors) if "PRIVACY_CONTACT" in line]
    assert len(warnings) == 1, errors
    assert " WARNING " in warnings[0] and "is not set" in warnings[0]
    errors = _start_and_stop(tmp_path / "with", PRIVACY_CONTACT=CONTACT)
    assert "PRIVACY_CONTACT" not in errors
