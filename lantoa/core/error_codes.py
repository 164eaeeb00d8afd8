"""Stable machine-readable error codes: every problem+json carries one in ``code`` so an
integrator never parses the Vietnamese ``detail``.

A status alone gives the generic code below; a more precise one comes from the error:
``ValidationError(..., code=...)`` (e.g. the upload and spreadsheet codes), ``Conflict(...,
code=...)``, ``PermissionDeniedError(..., code=...)``. Codes are snake_case English and are
never renamed once published.
"""

BY_STATUS = {
    400: "invalid",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "too_many_requests",
    500: "server_error",
    501: "not_implemented",
    503: "unavailable",
}

# 400
INVALID = "invalid"
NUMBER_OUT_OF_RANGE = "number_out_of_range"
# a plan's "báo cáo về" unit out of the issuer's reach, not live during the campaign, or
# also one of the recipients that report under the plan
REPORT_TO_INVALID = "report_to_invalid"
# 409
CONFLICT = "conflict"
VERSION_STALE = "version_stale"
STATE_LOCKED = "state_locked"
EXPORT_NOT_READY = "export_not_ready"
# 413
REQUEST_TOO_LARGE = "request_too_large"
# uploads (lantoa.core.uploads) and spreadsheets (lantoa.core.spreadsheets), as
# ValidationError codes: upload_missing, upload_too_large, upload_kind, upload_mismatch,
# upload_macro, upload_zip_bomb, upload_pixels, upload_unreadable, sheet_too_large,
# sheet_invalid, sheet_zip_bomb, sheet_macro, sheet_too_many_rows.
# Domain codes live beside their app (e.g. lantoa.units.error_codes: unit_restructure_rows
# for a restructuring sheet with bad rows, each listed in ``errors``).


def code_for_status(status: int) -> str:
    return BY_STATUS.get(status, "error")
