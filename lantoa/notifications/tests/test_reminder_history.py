"""Reminder history with dates and channels, where an office sees that a unit was
reminded: the completeness page, the unit's report page and
``GET /reports/{campaign}/{unit}/reminders`` — each reminder's date-time (dd/mm/yyyy HH:MM),
who sent it, its in-app notices and its e-mails with their delivery status."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lantoa.notifications.models import EmailMessageLog, EmailStatus, Notification, ReminderLog
from lantoa.notifications.selectors import reminder_history
from lantoa.notifications.services import reminder_run_request

OFFICE = "pgd.longbien"


@pytest.fixture
def reminded(demo, django_capture_on_commit_callbacks):
    """The district office reminds its late units by hand; their e-mails go out."""
    campaign = demo.campaigns[2023]
    office = demo.units["pgd_longbien"]
    with django_capture_on_commit_callbacks(execute=True):
        run = reminder_run_request(campaign=campaign, unit=office, user=demo.users[OFFICE])
    run.refresh_from_db()
    assert run.status == "done", run.status
    result = {
        "unit_ids": list(
            ReminderLog.objects.filter(
                campaign=campaign,
                kind="manual",
                sent_by=demo.users[OFFICE],
                sent_on=timezone.localdate(),
            ).values_list("unit_id", flat=True)
        )
    }
    # A late unit with users (in-app notices) and e-mail addresses.
    log = (
        ReminderLog.objects.filter(
            campaign=campaign,
            kind="manual",
            unit_id__in=result["unit_ids"],
            sent_by__isnull=False,
            sent_on=timezone.localdate(),
        )
        .filter(notices__isnull=False, emails__isnull=False)
        .select_related("unit")
        .order_by("unit__path")
        .first()
    )
    assert log is not None, result
    return campaign, office, log.unit, log


def test_history_names_the_date_the_sender_and_the_channels(demo, reminded):
    campaign, _office, school, log = reminded
    notices = Notification.objects.filter(reminder=log).count()
    assert notices > 0  # the school's editors got it in-app
    emails = list(EmailMessageLog.objects.filter(reminder=log).order_by("id"))
    assert emails and all(e.status == EmailStatus.SENT for e in emails)
    # One address bounced: the history says so (read side only: the stored status).
    EmailMessageLog.objects.filter(pk=emails[0].pk).update(status=EmailStatus.FAILED)
    history = reminder_history(campaign=campaign, unit_ids=[school.pk])[school.pk]
    latest = history[0]
    assert latest["id"] == log.pk and latest["kind"] == "manual"
    assert latest["sent_by"] == demo.users[OFFICE].full_name
    assert latest["in_app"] == notices
    assert [e["status"] for e in latest["emails"]][0] == "failed"
    assert "***@" in latest["emails"][0]["to"]  # masked
    # The demo's earlier automatic reminders are there too, sent by the daily job.
    assert any(r["kind"] == "auto" and r["sent_by"] == "Hệ thống (tự động)" for r in history)


def test_history_runs_two_queries_for_any_number_of_units(demo, reminded):
    campaign, _office, school, _log = reminded
    ids = list(ReminderLog.objects.filter(campaign=campaign).values_list("unit_id", flat=True))
    with CaptureQueriesContext(connection) as one:
        reminder_history(campaign=campaign, unit_ids=[school.pk])
    with CaptureQueriesContext(connection) as many:
        result = reminder_history(campaign=campaign, unit_ids=ids)
    assert len(one) == len(many) == 2
    assert len(result) == len(set(ids)) > 1


def test_completeness_and_report_pages_show_each_reminder(demo, reminded, client_as):
    campaign, office, school, log = reminded
    client = client_as(OFFICE)
    html = client.get(reverse("reports:completeness", args=[campaign.pk, office.pk])).content
    html = html.decode()
    stamp = timezone.localtime(log.sent_at).strftime("%d/%m/%Y %H:%M")
    row = html.split(f'href="/bao-cao/{campaign.pk}/{school.pk}/"')[1].split("</tr>")[0]
    assert stamp in row and demo.users[OFFICE].full_name in row
    assert "thông báo trong hệ thống tới" in row and "đã gửi" in row
    page = client.get(reverse("reports:report", args=[campaign.pk, school.pk])).content.decode()
    section = page.split('id="reminders"')[1].split("</section>")[0]
    assert "Lịch sử đôn đốc" in section and stamp in section and "thư điện tử" in section


def test_api_reminders_and_scope(demo, reminded, api_as):
    campaign, _office, school, log = reminded
    data = api_as(OFFICE).get(f"/api/v1/reports/{campaign.pk}/{school.pk}/reminders").json()
    assert data[0]["id"] == log.pk and data[0]["in_app"] > 0
    assert data[0]["emails"][0]["status"] == "sent"
    assert {"sent_at", "sent_by", "kind_label", "delivery"} <= set(data[0])
    assert school.name != "Trường THCS Ngọc Lâm"  # another school: not its business
    other = api_as("thcs.ngoclam").get(f"/api/v1/reports/{campaign.pk}/{school.pk}/reminders")
    assert other.status_code == 404


def test_missing_units_xlsx_lists_the_page_and_its_reminders(demo, reminded, client_as, api_as):
    from lantoa.reports.lines.selectors import completeness

    campaign, office, school, log = reminded
    client = client_as(OFFICE)
    url = reverse("reports:completeness", args=[campaign.pk, office.pk])
    assert (
        f'href="/bao-cao/{campaign.pk}/{office.pk}/chua-bao-cao.xlsx"'
        in client.get(url).content.decode()
    )
    missing = completeness(campaign=campaign, unit=office)["missing"]
    response = client.get(reverse("reports:missing_xlsx", args=[campaign.pk, office.pk]))
    assert response.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert office.name in rows[0][0] and "tuyến báo cáo" in rows[0][0]
    assert rows[1] == ("Đơn vị", "Hạn báo cáo", "Quá hạn", "Số lần đôn đốc", "Đôn đốc gần nhất")
    assert [r[0] for r in rows[2:]] == [m["unit_name"] for m in missing]
    row = next(r for r in rows[2:] if r[0] == school.name)
    assert row[1].date() == missing[[m["unit_id"] for m in missing].index(school.pk)]["due_on"]
    assert row[2] == "Có" and isinstance(row[3], int) and row[3] >= 1
    assert row[4] == timezone.localtime(log.sent_at).replace(tzinfo=None, microsecond=0)
    api = api_as(OFFICE)
    same = api.get(f"/api/v1/campaigns/{campaign.pk}/missing.xlsx", {"unit": office.pk})
    assert same.status_code == 200
    assert api.get(f"/api/v1/campaigns/{campaign.pk}/missing.xlsx").status_code == 400
    tdm = demo.units["ubnd_tdm"]
    assert (
        client.get(reverse("reports:missing_xlsx", args=[campaign.pk, tdm.pk])).status_code == 404
    )


def test_missing_units_xlsx_runs_a_fixed_number_of_queries(demo, client_as):
    campaign = demo.campaigns[2023]
    client = client_as("bo.gddt")
    client.get("/bao-cao/")
    counts = []
    for key in ("pgd_longbien", "ubnd_longbien", "bo"):
        url = reverse("reports:missing_xlsx", args=[campaign.pk, demo.units[key].pk])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            b"".join(response.streaming_content)
        counts.append([q["sql"][:150] for q in queries.captured_queries])
    assert len(counts[0]) == len(counts[1]) == len(counts[2]), [len(c) for c in counts]
