"""The HTTP path to the Bot API (PRODUCT §7): a bounded number of concurrent updates and the
``sniffio`` dependency httpcore needs so it does not retry a failed import on every request."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

from bot.app import CONCURRENT_UPDATES, CONNECTION_POOL_SIZE, build_application
from tests.conftest import make_settings

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def test_concurrent_updates_are_bounded_and_the_pool_fits(tmp_path: Path) -> None:
    """Not PTB's unbounded 256: a pool of that many connections costs CPU on every request."""
    application = build_application(make_settings(tmp_path))
    # bot.fairness: CONCURRENT_UPDATES run at once (the base class's limit only bounds how many
    # updates are held, so that it never decides the order).
    assert application.update_processor.running == CONCURRENT_UPDATES
    assert 8 <= CONCURRENT_UPDATES <= 16
    assert CONNECTION_POOL_SIZE > CONCURRENT_UPDATES


def test_sniffio_is_a_dependency_and_installed() -> None:
    """httpcore imports sniffio per lock set-up; missing, every call is a failed import."""
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    assert any(dependency.startswith("sniffio") for dependency in dependencies)
    assert importlib.util.find_spec("sniffio") is not None
