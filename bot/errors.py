"""What a user did wrong, as plain data: one family of exceptions for every service.

A service raises a ``UserError`` when the request cannot be done because of the user (a
typo, a button from an old message, a right they do not have); ``key`` names the text in
``content/texts/ru.toml`` that says so and ``params`` fill it. One place turns it into a
reply (``handlers/errors.py``: a message, or an alert for a button), so handlers and other
channels do not catch these themselves unless they continue differently.

Anything else (a bug, a lost connection) stays an ordinary exception: the user gets an
apology and the log a traceback.

The subclasses say what callers may need to tell apart, and whether the dialog the user
was in (an FSM state) ends with the error:

- ``InvalidInput``: what the user typed or chose cannot be used; they may try again.
- ``NotFound``: what the user refers to does not exist (any more); the dialog ends.
- ``Stale``: the request no longer fits what happened since (already sent, changed
  meanwhile); the dialog ends.
- ``PermissionDenied``: the user may not do this; the dialog ends.
"""

from __future__ import annotations

from typing import Any, ClassVar


class UserError(Exception):
    """The user's request cannot be done; ``key`` names the text that explains why."""

    ends_dialog: ClassVar[bool] = False

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params: dict[str, Any] = params

    def __repr__(self) -> str:
        # The key only: params may hold what the user typed (kept out of logs).
        return f"{type(self).__name__}({self.key!r})"


class InvalidInput(UserError):
    """What the user typed or chose cannot be used; the dialog goes on for another try."""


class NotFound(UserError):
    """What the user refers to does not exist, or no longer does."""

    ends_dialog = True


class Stale(UserError):
    """The request no longer fits: already done, or changed since the user saw it."""

    ends_dialog = True


class PermissionDenied(UserError):
    """The user may not do this; ``key`` names the text (``access.*``) that explains why."""

    ends_dialog = True
