"""``python -m bench --quick`` end to end, so ``make bench`` cannot rot: every contract key of
PRODUCT §7 present and sane. No timing is asserted (PRODUCT §7: performance is measured by the
benchmark, never by timed tests); the checks are on what was done and counted."""

from __future__ import annotations

import json
import math

from bench.__main__ import main, targets

CONTRACT = {
    "throughput": {"ratio", "p99_ms"},
    "termine": {"ratio"},
    "fairness": {"p99_ms_during_broadcast", "p99_ms_during_flood"},
    "bulk": {"ratio", "http_429", "reminders_10k_ratio"},
    "signup_storm": {"confirmed", "seats", "waitlisted"},
    "startup": {"seconds", "peak_rss_mb"},
    "web": {"pages_per_s", "ratio", "bot_p99_ms"},
}


def test_quick_bench_writes_every_contract_key(tmp_path, capsys):
    output = tmp_path / "results.json"
    assert main(["--quick", "--output", str(output)]) == 0
    results = json.loads(output.read_text(encoding="utf-8"))
    for part, keys in CONTRACT.items():
        assert keys <= results[part].keys(), part
        for key in keys:
            value = results[part][key]
            assert isinstance(value, int | float) and math.isfinite(value) and value >= 0
    throughput = results["throughput"]
    assert throughput["ratio"] > 0 and throughput["calls_per_update"] >= 1
    assert throughput["updates"] == 3 * 5
    assert results["termine"]["ratio"] > 0
    fairness = results["fairness"]
    assert fairness["samples_during_flood"] > 0 and fairness["samples_during_broadcast"] > 0
    # the flood was dealt with: answered, or dropped beyond bot.fairness.PER_PERSON
    assert 1 <= fairness["flood_answered_in_window"] <= fairness["flood_messages"]
    assert fairness["broadcast_sent_in_window"] > 0  # the broadcast really was being sent
    bulk = results["bulk"]
    for run in (bulk["at_rate_25"], bulk["at_rate_30"]):
        assert run["delivered"] == run["messages"] == 20
    assert bulk["reminders"]["delivered"] == bulk["reminders"]["attendees"] == 50
    storm = results["signup_storm"]
    assert (storm["confirmed"], storm["seats"], storm["waitlisted"]) == (10, 10, 20)
    assert storm["rejected_requests"] == 0
    assert results["startup"]["reminders_caught_up"] > 0
    assert 0 < results["startup"]["peak_rss_mb"] < 1000
    web = results["web"]
    assert web["errors"] == 0 and web["bot_samples"] > 0 and web["bare_pages_per_s"] > 0
    assert len(targets(results)) == 14
    assert "reminders_10k_ratio" in capsys.readouterr().out
