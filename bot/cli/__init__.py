"""The command line (run.py): running the bot, the console, program import/export, data export and
backups."""
