"""Dispatch's rules as plain Python: no I/O, no clock of its own (callers pass `now`)."""
