"""/suc-khoe/: minimal public liveness JSON; queue depth, e-mail backlog and the last run
of every scheduled job for superusers only."""

import json

import pytest

from lantoa.core.models import JobRun
from lantoa.notifications.models import EmailMessageLog, EmailStatus


@pytest.mark.django_db
def test_public_liveness_says_only_ok(client, demo_tree, client_as):
    for c in (client, client_as("so.hanoi")):
        response = c.get("/suc-khoe/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert json.loads(response.content) == {"status": "ok"}


@pytest.mark.django_db
def test_details_for_superusers_show_queue_emails_and_last_job_runs(demo_tree, client_as):
    from lantoa.notifications.tasks import send_due_reminders

    EmailMessageLog.objects.create(to="a@example.org", subject="s", status=EmailStatus.FAILED)
    send_due_reminders()  # the periodic job (tests run tasks at once) records its run
    run = JobRun.objects.get(name="reminders_send_due")
    assert run.ok is True and run.runs == 1 and run.finished_at >= run.started_at

    admin = client_as("admin")
    page = admin.get("/suc-khoe/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hàng đợi tác vụ" in html and "tác vụ đang chờ" in html
    assert 'id="job-reminders_send_due"' in html and "thành công" in html
    assert 'id="job-registrations_anonymise"' in html and "chưa chạy" in html
    assert "a@example.org" not in html  # no personal data on the page

    data = admin.get("/suc-khoe/?format=json").json()
    assert data["database"] is True and data["queue"]["ok"] is True
    assert data["queue"]["pending"] == 0
    assert data["emails"]["by_status"]["failed"] == 1
    jobs = {j["name"]: j for j in data["jobs"]}
    assert jobs["reminders_send_due"]["ok"] is True
    assert {"emails_sweep", "email_logs_purge", "registrations_anonymise"} <= set(jobs)


@pytest.mark.django_db
def test_a_failing_job_is_recorded_as_failed(demo_tree):
    from lantoa.core.jobs import SCHEDULES, recorded_job

    @recorded_job("always_fails", "thử")
    def job():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        job()
    SCHEDULES.pop("always_fails")
    run = JobRun.objects.get(name="always_fails")
    assert run.ok is False and run.detail == "RuntimeError"
