"""What an attendee does: the list and the cards, signing up and cancelling, tickets, questions to
the speakers, the feedback they give, privacy."""
