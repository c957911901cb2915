"""The one error the stack script reports: a sentence for a person, never a traceback."""


class StackError(Exception):
    """What is missing, where it was looked for, and how to get it."""
