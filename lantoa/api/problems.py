"""application/problem+json responses (RFC 9457) for the REST API."""

from django.http import JsonResponse

from lantoa.core.errors import error_code, error_messages
from lantoa.core.problems import TITLES, problem

__all__ = ["TITLES", "problem", "validation_problem"]


def validation_problem(exc) -> JsonResponse:
    errors = error_messages(exc)
    detail = "; ".join(e["message"] for e in errors) or "Dữ liệu không hợp lệ."
    return problem(400, detail, errors=errors, code=error_code(exc))
