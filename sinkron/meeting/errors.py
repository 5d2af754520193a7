"""The one exception a command raises when it is refused."""

CODES = ("invalid", "forbidden", "not_found", "conflict", "rate_limited", "closed")


def N_(message: str) -> str:
    """Marks a message for translation; the shell translates it per connection."""
    return message


class CommandError(Exception):
    """A refusal: a protocol error code and an English message id with parameters."""

    def __init__(self, code: str, message: str, **params):
        assert code in CODES, code
        super().__init__(message % params if params else message)
        self.code = code
        self.message = message
        self.params = params
