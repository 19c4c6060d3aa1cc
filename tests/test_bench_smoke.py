"""Each benchmark part at tiny sizes, so ``make bench`` cannot rot. No timing is asserted
(PRODUCT §7: performance is measured by the benchmark, never by timed tests)."""

from __future__ import annotations

import json

from bench.__main__ import main, table, targets
from bench.bulk import run_bulk
from bench.startup import run_startup
from bench.storm import run_storm
from bench.throughput import run_throughput

REQUIRED = {
    "throughput": {"bot_updates_per_s", "echo_updates_per_s", "ratio", "p50_ms", "p99_ms"},
    "bulk": {"messages", "configured_rate", "achieved_rate", "ratio", "http_429"},
    "signup_storm": {"users", "seats", "confirmed", "waitlisted", "seconds"},
    "startup": {"users", "events", "signups", "seconds", "peak_rss_mb"},
}


async def tiny_results() -> dict:
    return {
        "throughput": await run_throughput(people=3, rounds=1, repeats=1),
        "bulk": await run_bulk(messages=40, rate=1000),
        "signup_storm": await run_storm(users=25, seats=10),
        "startup": await run_startup(users=300, events=10, signups=400),
    }


async def test_every_part_runs_and_reports_the_contract_keys():
    results = await tiny_results()
    for part, keys in REQUIRED.items():
        assert keys <= results[part].keys(), part
    throughput = results["throughput"]
    assert throughput["updates"] == 3 * 5
    assert throughput["bot_updates_per_s"] > 0 and throughput["echo_updates_per_s"] > 0
    bulk = results["bulk"]
    assert bulk["sent"] == bulk["send_calls"] == 40
    assert bulk["outbox_states"] == {"sent": 40}
    storm = results["signup_storm"]
    assert (storm["confirmed"], storm["waitlisted"]) == (10, 15)
    assert storm["answered"] == 25 and storm["rejected_requests"] == 0
    startup = results["startup"]
    assert startup["reminders_caught_up"] > 0  # start-up did its catch-up work
    assert 0 < startup["peak_rss_mb"] < 1000
    summary = table(results)
    assert "(d) start-up" in summary and len(targets(results)) == 7
    json.dumps(results)


def test_main_writes_results_json(tmp_path, monkeypatch):
    """The CLI wiring, with the parts replaced by canned figures."""

    async def canned(args):
        return {**fake_results(), "run": {"quick": args.quick}}

    monkeypatch.setattr("bench.__main__.run", canned)
    output = tmp_path / "results.json"
    assert main(["--quick", "--output", str(output)]) == 0
    written = json.loads(output.read_text(encoding="utf-8"))
    for part, keys in REQUIRED.items():
        assert keys <= written[part].keys()


def fake_results() -> dict:
    return {
        "throughput": {
            "bot_updates_per_s": 1.0,
            "echo_updates_per_s": 2.0,
            "ratio": 0.5,
            "p50_ms": 1.0,
            "p99_ms": 2.0,
            "latency_offered_updates_per_s": 0.5,
            "p50_ms_saturated": 1.0,
            "p99_ms_saturated": 2.0,
            "concurrent_users": 1,
        },
        "bulk": {
            "messages": 1,
            "configured_rate": 1.0,
            "achieved_rate": 1.0,
            "ratio": 1.0,
            "http_429": 0,
            "seconds": 1.0,
        },
        "signup_storm": {"users": 2, "seats": 1, "confirmed": 1, "waitlisted": 1, "seconds": 0.1},
        "startup": {
            "users": 1,
            "events": 1,
            "signups": 1,
            "seconds": 0.1,
            "peak_rss_mb": 50.0,
            "import_seconds": 0.1,
        },
    }
