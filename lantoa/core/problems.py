"""application/problem+json responses (RFC 9457): the API's errors, and the few answers
given before a request reaches the API (too large, numbers out of range)."""

from django.http import JsonResponse

from lantoa.core.error_codes import code_for_status

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
    501: "Chưa hỗ trợ",
    503: "Tạm thời không phục vụ được",
}


def problem(
    status: int,
    detail: str,
    *,
    errors: list[dict] | None = None,
    title: str | None = None,
    code: str | None = None,
) -> JsonResponse:
    """A problem+json response; ``code`` is stable and machine-readable (core.error_codes)."""
    body = {
        "type": f"https://lantoa.local/problems/{status}",
        "title": title or TITLES.get(status, "Lỗi"),
        "status": status,
        "detail": detail,
        "code": code or code_for_status(status),
    }
    if errors is not None:
        body["errors"] = errors
    return JsonResponse(
        body,
        status=status,
        content_type="application/problem+json",
        json_dumps_params={"ensure_ascii": False},
    )
