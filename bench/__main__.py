"""``python -m bench`` (``make bench``): every figure of PRODUCT §7, a table, results.json.

``--quick`` shrinks every size (tests/test_bench_smoke.py runs it); the sizes used are
recorded next to the figures. docs/BENCH.md says what each key measures and how.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.bulk import run_bulk
from bench.fairness import run_fairness
from bench.startup import run_startup
from bench.storm import run_storm
from bench.throughput import run_throughput
from bench.web import run_web

RESULTS = Path(__file__).resolve().parent / "results.json"


def targets(results: dict) -> list[tuple[str, str, bool]]:
    """(target, measured, met) per PRODUCT §7."""
    t, m, f = results["throughput"], results["termine"], results["fairness"]
    b, s, u = results["bulk"], results["signup_storm"], results["startup"]
    w = results["web"]
    return [
        ("throughput ratio ≥ 0.7 (vs same calls)", f"{t['ratio']:.3f}", t["ratio"] >= 0.7),
        ("throughput p99 < 50 ms", f"{t['p99_ms']:.1f} ms", t["p99_ms"] < 50),
        ("termine ratio ≥ 0.6 (vs echo)", f"{m['ratio']:.3f}", m["ratio"] >= 0.6),
        (
            "fairness p99 during broadcast < 1500",
            f"{f['p99_ms_during_broadcast']:.0f} ms",
            f["p99_ms_during_broadcast"] < 1500,
        ),
        (
            "fairness p99 during flood < 1500",
            f"{f['p99_ms_during_flood']:.0f} ms",
            f["p99_ms_during_flood"] < 1500,
        ),
        ("bulk ratio ≥ 0.95 (at 25/s)", f"{b['ratio']:.3f}", b["ratio"] >= 0.95),
        (
            "bulk ratio ≥ 0.95 (at 30/s)",
            f"{b['at_rate_30']['ratio']:.3f}",
            b["at_rate_30"]["ratio"] >= 0.95,
        ),
        ("bulk: zero 429", str(b["http_429"]), b["http_429"] == 0),
        (
            "reminders_10k_ratio ≤ 1.05",
            f"{b['reminders_10k_ratio']:.3f}",
            b["reminders_10k_ratio"] <= 1.05,
        ),
        (
            f"storm: exactly {s['seats']} confirmed",
            f"{s['confirmed']} / {s['waitlisted']} waitlisted",
            s["confirmed"] == s["seats"] and s["confirmed"] + s["waitlisted"] == s["users"],
        ),
        ("start-up < 3 s", f"{u['seconds']:.2f} s", u["seconds"] < 3),
        ("start-up < 200 MB", f"{u['peak_rss_mb']:.0f} MB", u["peak_rss_mb"] < 200),
        ("web ratio ≥ 0.5 (vs bare aiohttp)", f"{w['ratio']:.3f}", w["ratio"] >= 0.5),
        ("web: /termine p99 < 100 ms", f"{w['bot_p99_ms']:.1f} ms", w["bot_p99_ms"] < 100),
    ]


def table(results: dict) -> str:
    """The human-readable summary: one line per target."""
    lines = [f"{'figure and target':<42}{'measured':<26}met?", "-" * 74]
    for name, measured, met in targets(results):
        lines.append(f"{name:<42}{measured:<26}{'met' if met else 'MISSED'}")
    m = results["termine"]
    if m.get("cpu_ratio") is not None:
        lines.append("")
        lines.append(
            f"termine in CPU time: {m['bot_cpu_ms_per_update']['median']:.2f} ms per update "
            f"(echo {m['echo_cpu_ms_per_update']['median']:.2f} ms), ratio {m['cpu_ratio']:.3f}"
        )
    r = results["bulk"]["reminders"]
    lines.append("")
    lines.append(
        f"reminders: {r['attendees']} at {r['configured_rate']:g}/s against a fake allowing "
        f"{r['fake_limit']:g}/s (Telegram's 30/s and the default 25/s, both × {r['scale']:g})"
    )
    return "\n".join(lines)


SIZES = {
    "full": {
        "people": 30,
        "rounds": 4,
        "repeats": 3,
        "recipients": 10_000,
        "flood": 1_000,
        "window": 20.0,
        "bulk_messages": 1_000,
        "attendees": 10_000,
        "startup": (100_000, 1_000, 200_000),
        "storm": (1_000, 100),
        "web": (1_000, 10.0),
    },
    # The smoke test in make test (tests/test_bench_smoke.py): every part once, as small as it
    # still means something. Most of its time is the eight bot processes starting and stopping.
    "quick": {
        "people": 3,
        "rounds": 1,
        "repeats": 1,
        "recipients": 50,
        "flood": 10,
        "window": 1.0,
        "bulk_messages": 20,
        "attendees": 50,
        "startup": (300, 10, 400),
        "storm": (30, 10),
        "web": (100, 1.0),
    },
}


async def run(args: argparse.Namespace) -> dict:
    """Every part, one after the other (never concurrently: they would disturb each other)."""
    size = SIZES["quick" if args.quick else "full"]
    results: dict = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        print("throughput and termine …", file=sys.stderr, flush=True)
        results["throughput"], results["termine"] = await run_throughput(
            folder, size["people"], size["rounds"], size["repeats"]
        )
        print("fairness …", file=sys.stderr, flush=True)
        results["fairness"] = await run_fairness(
            folder, size["recipients"], size["flood"], size["window"]
        )
        print("bulk and reminders …", file=sys.stderr, flush=True)
        results["bulk"] = await run_bulk(folder, size["bulk_messages"], size["attendees"])
        print("web …", file=sys.stderr, flush=True)
        results["web"] = await run_web(folder, *size["web"])
    print("sign-up storm …", file=sys.stderr, flush=True)
    users, seats = size["storm"]
    results["signup_storm"] = await run_storm(users=users, seats=seats)
    print("start-up …", file=sys.stderr, flush=True)
    users, events, signups = size["startup"]
    results["startup"] = await run_startup(users=users, events=events, signups=signups)
    results["run"] = {
        "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "quick": args.quick,
        "targets_met": all(met for _, _, met in targets(results)),
    }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, well under a minute")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    results = asyncio.run(run(args))
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
