"""Domain errors carry their HTTP status; one handler renders them for API, pages and CLI (DESIGN habit 3)."""

from __future__ import annotations


class XinyongError(Exception):
    status = 400
    code = "error"

    def __init__(self, message: str, *, field: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        body = {"error": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return body


class Invalid(XinyongError):
    status = 400
    code = "invalid"


class NotAuthenticated(XinyongError):
    status = 401
    code = "not_authenticated"


class Forbidden(XinyongError):
    status = 403
    code = "forbidden"


class NotFound(XinyongError):
    status = 404
    code = "not_found"


class MethodNotAllowed(XinyongError):
    """The path exists, the method does not: rendered with ``Allow`` (RFC 9110)."""

    status = 405
    code = "method_not_allowed"


class Conflict(XinyongError):
    status = 409
    code = "conflict"


class Locked(XinyongError):
    status = 423
    code = "locked"


class DeadlineUnknown(XinyongError):
    """A working-day computation needs a year whose official calendar is not loaded (SPEC §16)."""

    status = 409
    code = "calendar_unknown"
