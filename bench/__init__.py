"""Performance figures of the bot (``make bench`` → ``python -m bench``), PRODUCT §7.

Every figure is measured against the fake Bot API in this process (or a fresh subprocess for
start-up memory), side by side with a bare python-telegram-bot echo bot where a ratio is
asked for, because absolute numbers on shared machines are noise. Not part of ``make test``;
``tests/test_bench_smoke.py`` runs each part at tiny sizes so it cannot rot.
"""
