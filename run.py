"""Entry point: ``python run.py [console|import FILE|export FILE|attendees EVENT_ID|backup FILE]``."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
