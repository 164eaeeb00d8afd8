"""Reminders (đôn đốc): an office's "remind all", run by the task worker."""

from datetime import datetime

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status

from lantoa.accounts.selectors import unit_get_for_user
from lantoa.campaigns.selectors import campaign_get
from lantoa.notifications.selectors import (
    reminder_run_get_for_user,
    reminder_run_state,
    reminder_run_text,
)
from lantoa.notifications.services import reminder_run_request

router = Router(tags=["reminders"])


class ReminderRunOut(Schema):
    id: int
    campaign_id: int
    unit_id: int
    status: str
    expected: int
    reminded: int
    skipped: int
    requested_at: datetime
    finished_at: datetime | None
    detail: str


def _out(run) -> dict:
    return {**reminder_run_state(run), "detail": reminder_run_text(run)}


@router.post("/campaigns/{campaign_id}/remind", response={202: ReminderRunOut})
def campaign_remind(request, campaign_id: int, unit: int | None = None):
    """Remind every unit below ``unit`` that has not submitted (editors and leaders of the
    unit). Answers at once with the run (``status`` queued, or done when nobody is left to
    remind today); the worker reminds them. A second call while a run waits or runs returns
    that run. Follow it with ``GET /reminder-runs/{id}``."""
    campaign = campaign_get(campaign_id)
    if unit is None:
        raise ValidationError({"unit": "Thiếu tham số unit (mã đơn vị)."})
    office = unit_get_for_user(request.auth, unit)
    run = reminder_run_request(campaign=campaign, unit=office, user=request.auth)
    return Status(202, _out(run))


@router.get("/reminder-runs/{run_id}", response=ReminderRunOut)
def reminder_run_detail(request, run_id: int):
    """Progress and result of a "remind all" run (whoever sees the office)."""
    return _out(reminder_run_get_for_user(request.auth, run_id))
