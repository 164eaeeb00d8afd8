"""Domain errors raised by services; pages show them, the API maps them to problem+json."""

from django.core.exceptions import ValidationError  # re-exported: field errors → 400

__all__ = ["ValidationError", "Conflict", "NotFound", "PermissionDeniedError"]


class Conflict(Exception):
    """The action is not allowed in the current state, or the version is stale (409)."""

    def __init__(self, detail: str, *, code: str = "conflict"):
        super().__init__(detail)
        self.detail = detail
        self.code = code  # stable, for problem+json (units.error_codes …)


class NotFound(Exception):
    """Missing or outside the caller's scope (404: the two are indistinguishable)."""


class PermissionDeniedError(Exception):
    """Inside the scope but the role does not allow it (403)."""

    def __init__(
        self,
        detail: str = "Bạn không có quyền thực hiện thao tác này.",
        *,
        code: str = "forbidden",
    ):
        super().__init__(detail)
        self.detail = detail
        self.code = code


def error_code(error: ValidationError, default: str = "invalid") -> str:
    """The first stable code a ValidationError carries (``ValidationError(msg, code=…)``)."""
    items = (
        [e for errors in error.error_dict.values() for e in errors]
        if hasattr(error, "error_dict")
        else error.error_list
    )
    return next((e.code for e in items if e.code), default)


def error_messages(error: ValidationError) -> list[dict]:
    """[{field, message}] from a ValidationError, for problem+json and forms."""
    if hasattr(error, "error_dict"):
        return [
            {"field": field, "message": str(message)}
            for field, errors in error.message_dict.items()
            for message in errors
        ]
    return [{"field": "", "message": str(m)} for m in error.messages]
