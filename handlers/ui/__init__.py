"""The one UI kit every feature uses: editing or sending a view, the reader's renderer and chat
kind, the event card, the organiser guard and the event picker."""
