"""Shared factories of the tests and the benchmark: one fixed moment, settings, evenings.

Nothing here reads the wall clock: every evening is placed relative to :data:`NOW` (or to the
``now`` a caller passes), so a run gives the same answers at any hour of any day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.settings import Settings
from domain.models import Event, Speaker

ADMIN_ID = 1000
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday morning, 10:00 in Berlin
START = (NOW + timedelta(days=14)).replace(hour=17, minute=30)  # make_event(): 9 Dec, 18:30
LENGTH = timedelta(hours=2, minutes=30)  # an evening, 18:30 to 21:00
FAST_BULK = 1000  # messages a second: bulk sending that does not keep a test waiting


def frozen_clock(moment: datetime = NOW) -> ManualClock:
    """A clock standing at ``moment`` until told to move."""
    return ManualClock(moment)


def make_settings(folder: Path, **overrides: object) -> Settings:
    """Settings for tests: no .env, a database in ``folder``, one organiser, no web port."""
    values: dict[str, object] = {
        "database_path": folder / "bot.sqlite3",
        "admin_ids": frozenset({ADMIN_ID}),
        "timezone": "Europe/Berlin",
        "bot_token": None,
        "web_port": 0,  # no fixed port in tests; the web tests bind a free one themselves
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def fast_bulk_settings(folder: Path, **overrides: object) -> Settings:
    """:func:`make_settings` with bulk sending at :data:`FAST_BULK` a second, so that tests of
    broadcasts do not wait for the pacing."""
    return make_settings(folder, **{"broadcast_rate": FAST_BULK, **overrides})


def make_event(event_id: str = "umbau-2026", days: float = 14, **fields: object) -> Event:
    """An upcoming event ``days`` after :data:`NOW` (18:30 Berlin time on that day), unless
    ``starts_at`` is given; it ends :data:`LENGTH` after its start unless ``ends_at`` is."""
    start = fields.pop("starts_at", None) or (NOW + timedelta(days=days)).replace(
        hour=17, minute=30
    )
    assert isinstance(start, datetime)
    values: dict[str, object] = {
        "id": event_id,
        "title": "Umbau statt Neubau",
        "series": "Kraft der Region",
        "starts_at": start,
        "ends_at": start + LENGTH,
        "venue": "Haus der Architektinnen und Architekten",
        "address": "Danneckerstraße 54, 70182 Stuttgart",
        "latitude": 48.7707,
        "longitude": 9.1866,
        "capacity": 80,
        "description": "Wie wir mit dem Bestand bauen.",
        "speakers": (Speaker("Ilona Schaal", "Künstlerische Leiterin, Theater Rampe", "Bio."),),
    }
    values.update(fields)
    return Event(**values)  # type: ignore[arg-type]
