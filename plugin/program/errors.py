"""What the domain refuses, without HTTP: a kind (not found, not allowed, conflict, invalid,
refused), a stable machine code and a sentence.

Domain code raises these; the faces map the kind to a status in one place
(``plugin.errors.STATUS_OF``) and put ``code`` and ``message`` in the JSON error body, so the
bodies clients see are the same whatever raised them. ``code`` is the error's key: clients
(and the storefront's words in four languages) choose what to show by it, never by the sentence.
``extra`` holds further fields of the error body (the contract in openapi.yaml names them).
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A refusal the caller can act on. Subclass one of the kinds below, not this."""

    code: str = "refused"  # the kind's; an instance may carry its own (``code=``)
    default_message: ClassVar[str] = "This cannot be done."

    def __init__(self, message: str | None = None, *, code: str | None = None, **extra: Any):
        self.message = message or self.default_message
        super().__init__(self.message)
        self.code = code or type(self).code
        self.extra = extra


class NotFound(DomainError):
    """No such thing for this caller (another shop's or member's counts as none)."""

    code = "not_found"
    default_message = "Not found."


class NotAllowed(DomainError):
    """The caller may not do this (a TESmart ID not active, a tier-only reward)."""

    code = "forbidden"
    default_message = "This is not allowed."


class Conflict(DomainError):
    """The state of things says no: already done, already taken, not in this state."""

    code = "conflict"
    default_message = "This conflicts with what is already there."


class Invalid(DomainError):
    """The request itself is malformed: a field of the wrong type or out of range."""

    code = "invalid_request"
    default_message = "The request is not valid."


class Refused(DomainError):
    """Well formed, but the program's rules refuse it (an expired quote, a missing serial)."""

    code = "refused"
    default_message = "This cannot be done."


class TooLarge(Invalid):
    """What was sent is bigger than allowed (an upload)."""

    code = "too_large"
    default_message = "This is too large."


class UnsupportedMedia(Invalid):
    """What was sent is of a kind not taken (an upload that is no photo or video)."""

    code = "unsupported_media"
    default_message = "This kind of file is not taken."
