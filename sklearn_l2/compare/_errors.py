"""The one exception the command line reports without a traceback."""


class CommandError(Exception):
    """A problem with the user's input: reported in one line, no traceback."""
