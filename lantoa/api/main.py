"""REST API v1 (API.md). Routers live per domain in this package."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import DataError
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.operation import PathView
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from lantoa.api.auth import AUTH
from lantoa.api.problems import problem, validation_problem
from lantoa.core import error_codes
from lantoa.core.errors import Conflict, NotFound, PermissionDeniedError
from lantoa.core.spreadsheets import RowErrors
from lantoa.core.text import clean_input_deep


class CleanTextParser(Parser):
    """JSON bodies arrive NFC-normalised, without control characters (passwords untouched);
    form fields get the same from ``CleanTextInputMiddleware``."""

    def parse_body(self, request):
        return clean_input_deep(super().parse_body(request))


class LocalTimeEncoder(NinjaJSONEncoder):
    """Timestamps in Vietnam's time with their offset (2026-11-20T08:00:00+07:00), as API.md
    says, rather than UTC with a Z."""

    def default(self, o):
        if isinstance(o, datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat()
        return super().default(o)


class LocalTimeRenderer(JSONRenderer):
    encoder_class = LocalTimeEncoder


PROBLEM_SCHEMA = {
    "title": "Problem",
    "type": "object",
    "description": "application/problem+json (RFC 9457); `code` is stable (core.error_codes).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "required": ["type", "title", "status", "detail", "code"],
}
PROBLEM_STATUSES = {
    400: "Dữ liệu không hợp lệ (kể cả số vượt giới hạn, trang hoặc mã số quá lớn)",
    401: "Chưa xác thực",
    403: "Trong phạm vi nhưng vai trò không cho phép",
    404: "Không tồn tại hoặc nằm ngoài phạm vi",
    409: "Trạng thái không cho phép hoặc phiên bản đã cũ",
    413: "Yêu cầu hoặc tệp quá lớn",
    429: "Quá nhiều yêu cầu",
}


class LantoaAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Every operation documents the problem+json answers it can give, so clients (and
        the schemathesis run in ./test.sh) know every status code."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"].setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        content = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                statuses = [400, 404]
                if operation.get("security"):
                    statuses += [401, 403]
                elif path.endswith("/auth/token"):
                    statuses.append(401)  # wrong credentials
                if method != "get":
                    statuses += [409, 413]
                if method == "post" and (path.endswith("/auth/token") or "/public/" in path):
                    statuses.append(429)
                responses = operation.setdefault("responses", {})
                for status in statuses:
                    responses.setdefault(
                        status, {"description": PROBLEM_STATUSES[status], "content": content}
                    )
        return schema


api = LantoaAPI(
    parser=CleanTextParser(),
    renderer=LocalTimeRenderer(),
    title="Lantoa API",
    version="1",
    description="Tuần lễ hưởng ứng học tập suốt đời: đơn vị, Tuần lễ, văn bản, báo cáo, hoạt động, tuyên dương.",
    auth=AUTH,
    urls_namespace="api",
)


@api.exception_handler(NotFound)
@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(404, "Không tìm thấy hoặc nằm ngoài phạm vi của bạn.")


@api.exception_handler(Conflict)
def _conflict(request, exc):
    return problem(409, exc.detail, code=exc.code)


@api.exception_handler(PermissionDeniedError)
def _forbidden(request, exc):
    return problem(403, exc.detail, code=getattr(exc, "code", None))


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _out_of_range(request, exc):
    # An integer beyond what the database column holds (SQLite raises OverflowError,
    # PostgreSQL DataError): the request was rolled back; say so instead of a 500.
    return problem(
        400, _("Giá trị số vượt quá giới hạn cho phép."), code=error_codes.NUMBER_OUT_OF_RANGE
    )


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return validation_problem(exc)


@api.exception_handler(RowErrors)
def _row_errors(request, exc):
    errors = [{"field": f"row {e.row}: {e.column}", "message": e.message} for e in exc.errors]
    return problem(400, str(exc), errors=errors)


@api.exception_handler(NinjaValidationError)
def _schema_invalid(request, exc):
    errors = []
    for err in exc.errors:
        loc = [
            str(p)
            for p in err.get("loc", [])
            if p not in ("body", "payload", "query", "path", "form", "file")
        ]
        errors.append({"field": ".".join(loc), "message": _vietnamese(err)})
    return problem(
        400,
        "Dữ liệu không hợp lệ: " + "; ".join(f"{e['field']}: {e['message']}" for e in errors),
        errors=errors,
    )


def _vietnamese(err: dict) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "bắt buộc"
    if kind.startswith("int") or kind.startswith("float"):
        return "phải là số"
    if kind.startswith("date"):
        return "ngày không hợp lệ (YYYY-MM-DD)"
    if kind.startswith("bool"):
        return "phải là true hoặc false"
    return err.get("msg", "không hợp lệ")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problem(401, "Cần đăng nhập hoặc token hợp lệ (Authorization: Bearer …).")


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem(exc.status_code, str(exc))


def _method_not_allowed(self) -> HttpResponse:
    # Ninja answers a wrong method with a bare text 405 (PathView._not_allowed, no hook);
    # API.md wants problem+json for every error, with the Allow header kept.
    allowed = sorted({m for op in self.operations for m in op.methods})
    response = problem(405, "Phương thức không được hỗ trợ. Được phép: " + ", ".join(allowed) + ".")
    response["Allow"] = ", ".join(allowed)
    return response


PathView._not_allowed = _method_not_allowed


def _register() -> None:
    from lantoa.api import (
        activities,
        campaigns,
        documents,
        edocs,
        exports,
        honours,
        reminders,
        reports,
        units,
    )

    api.add_router("", units.router)
    api.add_router("", campaigns.router)
    # before documents: /documents/import must not be read as /documents/{document_id}
    api.add_router("", edocs.router)
    api.add_router("", documents.router)
    api.add_router("", reports.router)
    api.add_router("", activities.router)
    api.add_router("", honours.router)
    api.add_router("", reminders.router)
    api.add_router("", exports.router)


_register()
