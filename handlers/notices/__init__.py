"""Messages the bot sends on its own (no incoming update): the renderers of outbox rows and the
planners that enqueue reminders and certificates."""
