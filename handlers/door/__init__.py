"""The door on the evening: check-in by list and by scanned ticket."""
