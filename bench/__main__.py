"""``python -m bench`` (``make bench``): run the four parts, print a table, write results.json.

Options shrink the sizes for a quick look (``--quick``); the figures in results.json are those
of the last run, with the sizes used recorded next to them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.bulk import run_bulk
from bench.startup import run_startup
from bench.storm import run_storm
from bench.throughput import run_throughput

RESULTS = Path(__file__).resolve().parent / "results.json"


def targets(results: dict) -> list[tuple[str, str, bool]]:
    """(target, measured, met) per PRODUCT §7."""
    t, b, s, u = (
        results["throughput"],
        results["bulk"],
        results["signup_storm"],
        results["startup"],
    )
    return [
        ("throughput ratio ≥ 0.5", f"{t['ratio']:.3f}", t["ratio"] >= 0.5),
        ("p99 < 50 ms", f"{t['p99_ms']:.1f} ms", t["p99_ms"] < 50),
        ("bulk ratio ≥ 0.95", f"{b['ratio']:.3f}", b["ratio"] >= 0.95),
        ("zero 429", str(b["http_429"]), b["http_429"] == 0),
        (
            f"storm: exactly {s['seats']} confirmed",
            f"{s['confirmed']} / {s['waitlisted']} waitlisted",
            s["confirmed"] == s["seats"] and s["confirmed"] + s["waitlisted"] == s["users"],
        ),
        ("start-up < 3 s", f"{u['seconds']:.2f} s", u["seconds"] < 3),
        ("start-up < 200 MB", f"{u['peak_rss_mb']:.0f} MB", u["peak_rss_mb"] < 200),
    ]


def table(results: dict) -> str:
    """The human-readable summary."""
    t, b, s, u = (
        results["throughput"],
        results["bulk"],
        results["signup_storm"],
        results["startup"],
    )
    lines = [
        "part                figures",
        "-" * 78,
        f"(a) throughput      bot {t['bot_updates_per_s']:.0f}/s vs echo "
        f"{t['echo_updates_per_s']:.0f}/s ({t['concurrent_users']} users at once)",
        f"    latency         p50 {t['p50_ms']:.1f} ms, p99 {t['p99_ms']:.1f} ms at "
        f"{t['latency_offered_updates_per_s']:.0f} updates/s offered; saturated p50 "
        f"{t['p50_ms_saturated']:.1f} / p99 {t['p99_ms_saturated']:.1f} ms",
        f"(b) bulk            {b['messages']} messages at {b['configured_rate']:.0f}/s "
        f"configured: {b['achieved_rate']:.1f}/s achieved, {b['http_429']} × 429, "
        f"{b['seconds']:.1f} s",
        f"(c) sign-up storm   {s['users']} people, {s['seats']} seats: {s['confirmed']} "
        f"confirmed, {s['waitlisted']} waitlisted in {s['seconds']:.2f} s",
        f"(d) start-up        {u['users']} users, {u['events']} events, {u['signups']} "
        f"sign-ups: ready in {u['seconds']:.2f} s (imports {u['import_seconds']:.2f} s), "
        f"peak {u['peak_rss_mb']:.0f} MB",
        "",
        "target                          measured                       ",
        "-" * 78,
    ]
    for name, measured, met in targets(results):
        lines.append(f"{name:<32}{measured:<31}{'met' if met else 'MISSED'}")
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> dict:
    """All four parts, one after the other (never concurrently: they would disturb each other)."""
    quick = args.quick
    results: dict = {}
    print("(a) throughput …", file=sys.stderr, flush=True)
    results["throughput"] = await run_throughput(
        people=20 if quick else 50, rounds=2 if quick else 6, repeats=1 if quick else 3
    )
    print("(b) bulk sending …", file=sys.stderr, flush=True)
    results["bulk"] = await run_bulk(
        messages=1_000 if quick else args.bulk_messages, rate=args.rate
    )
    print("(c) sign-up storm …", file=sys.stderr, flush=True)
    results["signup_storm"] = await run_storm(users=1_000, seats=100)
    print("(d) start-up …", file=sys.stderr, flush=True)
    results["startup"] = await run_startup(
        users=10_000 if quick else 100_000,
        events=100 if quick else 1_000,
        signups=20_000 if quick else 200_000,
    )
    results["run"] = {
        "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "quick": quick,
        "targets_met": all(met for _, _, met in targets(results)),
    }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, a few seconds")
    parser.add_argument("--rate", type=float, default=500.0, help="BROADCAST_RATE for (b)")
    parser.add_argument("--bulk-messages", type=int, default=10_000)
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
