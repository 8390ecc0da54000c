"""The oracle's refusals: one line a person can act on (the command lines print it as such)."""


class OracleError(ValueError):
    """The oracle cannot do what was asked; the message says why and what to do."""
