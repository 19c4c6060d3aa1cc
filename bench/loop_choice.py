"""``python -m bench.loop_choice``: does uvloop make the bot faster? (issue 14: "uvloop only if
it measurably helps"). The throughput part of the bench, run interleaved with the bot processes
on asyncio's own loop and on uvloop (``BENCH_LOOP=uvloop``); needs ``pip install uvloop``,
which the project itself does not depend on."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
from pathlib import Path

from bench.throughput import run_throughput


async def main(repeats: int = 3) -> None:
    """Print the mixed and /termine rates of both loops, and their ratio."""
    rates: dict[str, list[tuple[float, float]]] = {"asyncio": [], "uvloop": []}
    with tempfile.TemporaryDirectory() as name:
        for repeat in range(repeats):
            for loop in rates:
                os.environ["BENCH_LOOP"] = loop
                here = Path(name) / f"{loop}-{repeat}"
                here.mkdir()
                mixed, termine = await run_throughput(here, 30, 4, 1)
                rates[loop].append(
                    (mixed["bot_updates_per_s"]["median"], termine["bot_updates_per_s"]["median"])
                )
    for loop, values in rates.items():
        print(loop, "mixed", [m for m, _ in values], "termine", [t for _, t in values])
    for index, name in enumerate(("mixed", "termine")):
        ratio = statistics.median(
            u[index] / a[index] for u, a in zip(rates["uvloop"], rates["asyncio"], strict=True)
        )
        print(f"{name}: uvloop / asyncio = {ratio:.3f} (median of {repeats} interleaved pairs)")


if __name__ == "__main__":
    asyncio.run(main())
