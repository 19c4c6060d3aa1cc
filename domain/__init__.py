"""The rules of an evening and a sign-up: plain dataclasses and pure functions.

Nothing here does I/O, knows Telegram or speaks SQL. Storage asks these functions inside its
transactions; handlers and renderers ask the same functions what to show, so what a screen
offers is what a press does.
"""
