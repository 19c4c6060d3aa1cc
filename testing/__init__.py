"""Outside the product: the fake Bot API and the helpers that drive the real Application with
it. Tests, ``python run.py console`` and ``bench/`` use it; nothing in ``bot/``, ``handlers/``,
``storage/`` or ``domain/`` depends on it except the console, which is its purpose."""
