"""Everything between the outbox and Telegram: what is sent (outgoing), how fast (pacer, budget),
how it is delivered and the sender loop."""
