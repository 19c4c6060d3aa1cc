"""Entry point of the bot and its CLI verbs; see ``python run.py --help`` and bot/cli/main.py."""

import sys

from bot.cli.main import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
