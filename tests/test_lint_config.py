"""What `make lint` holds: domain/ and storage/ are type-checked as strictly as ``mypy --strict``,
the list of modules mypy does not report on only shrinks, and the import contracts (the rooms'
order, no import cycles) are declared, run and able to fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parent.parent
PYPROJECT = ROOT / "pyproject.toml"
ROOTS = ("domain", "storage", "handlers", "bot", "testing")

# The exclusion list when it was made (issue 20). A module may leave it; none may join it.
EXCLUDED_AT_THE_START = frozenset(
    {
        "bot.console.demo",
        "bot.console.terminal",
        "bot.context",
        "bot.jobs",
        "bot.persistence",
        "handlers.*",
        "testing.fake_telegram.chats",
        "testing.fake_telegram.faults",
        "testing.fake_telegram.history",
        "testing.fake_telegram.methods",
        "testing.offline",
    }
)
STRICT_FLAGS = (
    "disallow_any_generics",
    "disallow_subclassing_any",
    "disallow_untyped_calls",
    "disallow_untyped_defs",
    "disallow_incomplete_defs",
    "check_untyped_defs",
    "disallow_untyped_decorators",
    "warn_return_any",
    "no_implicit_reexport",
    "strict_equality",
    "extra_checks",
)


def mypy_config() -> dict[str, Any]:
    config: dict[str, Any] = tomllib.loads(PYPROJECT.read_text())["tool"]["mypy"]
    return config


def overrides_for(module: str) -> list[dict[str, Any]]:
    found = [o for o in mypy_config()["overrides"] if module in o["module"]]
    assert found, f"no [[tool.mypy.overrides]] for {module}"
    return found


def test_the_exclusion_list_only_shrinks() -> None:
    excluded = {
        module
        for override in mypy_config()["overrides"]
        if override.get("ignore_errors")
        for module in override["module"]
    }
    assert excluded <= EXCLUDED_AT_THE_START, sorted(excluded - EXCLUDED_AT_THE_START)


def test_domain_and_storage_are_checked_strictly() -> None:
    for room in ("domain.*", "storage.*"):
        [override] = overrides_for(room)
        assert not override.get("ignore_errors")
        assert {flag: override.get(flag) for flag in STRICT_FLAGS} == dict.fromkeys(
            STRICT_FLAGS, True
        )
    config = mypy_config()
    assert config["warn_unused_ignores"] is True
    assert {"domain", "storage", "bot", "handlers", "testing"} <= set(config["files"])


# --- the import contracts (issue 20) ---------------------------------------------------------


def import_contracts() -> dict[str, dict[str, Any]]:
    config: dict[str, Any] = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    assert tuple(config["root_packages"]) == ROOTS
    return {contract["id"]: contract for contract in config["contracts"]}


def test_the_import_contracts_are_declared() -> None:
    contracts = import_contracts()
    assert set(contracts) >= {"rooms", "handler-rooms", "reading", "acyclic"}
    rooms = contracts["rooms"]["layers"]
    assert rooms[-2:] == ["storage", "domain"]
    wiring = rooms.index("bot.app")
    [features] = [i for i, layer in enumerate(rooms) if "handlers" in layer.split(" | ")]
    core = rooms.index("bot.context")
    assert wiring < features < core < rooms.index("storage")  # domain < storage < handlers < bot
    assert contracts["handler-rooms"]["containers"] == ["handlers"]
    assert contracts["handler-rooms"]["exhaustive"] is True
    assert contracts["acyclic"]["type"] == "acyclic_siblings"
    assert set(contracts["acyclic"]["ancestors"]) == set(ROOTS)
    for contract in contracts.values():  # an exception needs a written reason, and none has one
        assert not contract.get("ignore_imports"), contract["id"]


def test_make_lint_runs_the_import_contracts() -> None:
    lint = (ROOT / "Makefile").read_text().split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "lint-imports" in lint


def lint_imports(tree: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` run on ``tree`` (a checkout: the packages and pyproject.toml)."""
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache", "--no-logo"]
    for contract in contracts:
        command += ["--contract", contract]
    return subprocess.run(command, cwd=tree, capture_output=True, text=True, timeout=120)


def copy_of_the_tree(tmp_path: Path) -> Path:
    for room in ROOTS:
        shutil.copytree(ROOT / room, tmp_path / room, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PYPROJECT, tmp_path / "pyproject.toml")
    return tmp_path


def add_import(tree: Path, module: str, imported: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text() + f"\nimport {imported}  # noqa\n")


def test_the_rooms_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_or_a_cycle_breaks_a_contract(tmp_path: Path) -> None:
    tree = copy_of_the_tree(tmp_path)
    assert lint_imports(tree).returncode == 0
    add_import(tree, "bot.web.server", "handlers.attendee.browsing")  # the web page on a feature
    add_import(tree, "storage.events", "bot.context")  # SQL on the wiring
    add_import(tree, "handlers.notices.reminders", "handlers.attendee.cancellation")  # rooms
    add_import(tree, "domain.models", "domain.reading.program")  # a rule on a reader
    add_import(tree, "bot.sending.delivery", "bot.sending.sender")  # a cycle (sender -> delivery)
    for contract in ("rooms", "handler-rooms", "reading", "acyclic"):
        result = lint_imports(tree, contract)
        assert result.returncode == 1, (contract, result.stdout)
        assert "BROKEN" in result.stdout
    rooms = lint_imports(tree, "rooms").stdout
    assert "bot.web.server -> handlers.attendee.browsing" in rooms
    assert "storage.events -> bot.context" in rooms
    assert "No cycles are allowed in bot.sending." in lint_imports(tree, "acyclic").stdout
