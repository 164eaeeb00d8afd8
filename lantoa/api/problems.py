"""application/problem+json responses (RFC 9457) for the REST API."""

from django.http import JsonResponse

from lantoa.core.errors import error_code, error_messages

TITLES = {
    400: "Dữ liệu không hợp lệ",
    401: "Chưa xác thực",
    403: "Không có quyền",
    404: "Không tìm thấy",
    405: "Phương thức không được hỗ trợ",
    409: "Xung đột trạng thái",
    413: "Tệp quá lớn",
    429: "Quá nhiều yêu cầu",
    500: "Lỗi hệ thống",
}


# The stable code of an error that carries none of its own.
CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "too_many_requests",
    500: "server_error",
}


def problem(
    status: int,
    detail: str,
    *,
    errors: list[dict] | None = None,
    title: str | None = None,
    code: str | None = None,
) -> JsonResponse:
    body = {
        "type": f"https://lantoa.local/problems/{status}",
        "title": title or TITLES.get(status, "Lỗi"),
        "status": status,
        "detail": detail,
        "code": code or CODES.get(status, "error"),
    }
    if errors is not None:
        body["errors"] = errors
    return JsonResponse(
        body,
        status=status,
        content_type="application/problem+json",
        json_dumps_params={"ensure_ascii": False},
    )


def validation_problem(exc) -> JsonResponse:
    errors = error_messages(exc)
    detail = "; ".join(e["message"] for e in errors) or "Dữ liệu không hợp lệ."
    return problem(400, detail, errors=errors, code=error_code(exc))
