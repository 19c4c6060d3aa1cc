"""The bot in the terminal (make demo): the session, its screen and keys, the demo program and the
shifted clock."""
