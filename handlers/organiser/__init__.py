"""What organisers do: the /admin menu, the event editor, attendee lists, statistics, the question
review and broadcasts."""
