from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from lantoa.core.errors import Conflict, NotFound, ValidationError
from lantoa.notifications.models import Notification
from lantoa.reports.models import Report, ReportValue
from lantoa.reports.selectors import rollup_for_unit
from lantoa.reports.services import (
    report_accept,
    report_reopen,
    report_return,
    report_save,
    report_submit,
)
from lantoa.reports.tests.factories import build_tree

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def tree(db):
    return build_tree()


def _new(tree, key="a"):
    return Report(campaign=tree.campaign, unit=tree[key], version=0)


def test_only_the_units_own_editors_write(tree):
    # The district office's editor sees the school (its subtree) but cannot type its figures.
    from lantoa.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        report_save(
            report=_new(tree), user=tree.users["phong.editor"], version=0, values={"lop_hoc": 1}
        )
    # A school's editor cannot touch another school (outside its scope): 404.
    with pytest.raises(NotFound):
        report_save(
            report=_new(tree, "b"), user=tree.users["a.editor"], version=0, values={"lop_hoc": 1}
        )
    assert not Report.objects.exists()


def test_submit_on_time_at_the_end_of_the_deadline_day(tree):
    user = tree.users["a.editor"]
    report = report_save(report=_new(tree), user=user, version=0, values={"lop_hoc": 1})
    report = report_submit(report=report, user=user, now=datetime(2023, 10, 12, 23, 59, tzinfo=HCM))
    assert report.on_time is True and report.due_on == date(2023, 10, 12)
    late = report_save(
        report=_new(tree, "b"), user=tree.users["b.editor"], version=0, values={"lop_hoc": 1}
    )
    late = report_submit(
        report=late, user=tree.users["b.editor"], now=datetime(2023, 10, 13, 0, 0, 1, tzinfo=HCM)
    )
    assert late.on_time is False


def test_review_cycle_moves_values_in_and_out_of_the_rollup(tree, settings):
    editor, approver = tree.users["a.editor"], tree.users["phong.approver"]
    report = report_save(report=_new(tree), user=editor, version=0, values={"lop_hoc": 4})
    assert rollup_for_unit(campaign=tree.campaign, unit=tree["phong"])["totals"] == {}
    report = report_submit(report=report, user=editor)
    assert rollup_for_unit(campaign=tree.campaign, unit=tree["tinh"])["totals"] == {"lop_hoc": 4}
    with pytest.raises(ValidationError):
        report_return(report=report, user=approver, reason="")
    mail.outbox.clear()
    report = report_return(report=report, user=approver, reason="Thiếu minh chứng ảnh.")
    assert report.state == "returned"
    assert rollup_for_unit(campaign=tree.campaign, unit=tree["tinh"])["totals"] == {}
    assert Notification.objects.filter(user=editor, kind="report_returned").exists()
    report = report_save(report=report, user=editor, version=report.version, values={"lop_hoc": 5})
    report = report_submit(report=report, user=editor)
    # Another school's approver (none) / the school itself cannot accept.
    with pytest.raises(NotFound):
        report_accept(report=report, user=editor)
    report = report_accept(report=report, user=approver)
    assert report.state == "accepted"
    assert rollup_for_unit(campaign=tree.campaign, unit=tree["tinh"])["totals"] == {"lop_hoc": 5}
    with pytest.raises(Conflict):
        report_save(report=report, user=editor, version=report.version, values={"lop_hoc": 9})
    with pytest.raises(Conflict):
        report_submit(report=report, user=editor)
    report = report_reopen(
        report=report, user=tree.users["tinh.approver"], reason="Cần sửa số người học."
    )
    assert report.state == "returned"
    assert set(ReportValue.objects.filter(report=report).values_list("counted", flat=True)) == {
        False
    }
    assert [v.action for v in report.versions.order_by("version")] == [
        "save",
        "submit",
        "return",
        "save",
        "submit",
        "accept",
        "reopen",
    ]


def test_stale_version_conflict_keeps_stored_data(tree):
    editor = tree.users["a.editor"]
    report = report_save(report=_new(tree), user=editor, version=0, values={"lop_hoc": 4})
    first = report_save(
        report=Report.objects.get(pk=report.pk), user=editor, version=1, values={"lop_hoc": 6}
    )
    with pytest.raises(Conflict, match="phiên bản"):
        report_save(
            report=Report.objects.get(pk=report.pk), user=editor, version=1, values={"lop_hoc": 7}
        )
    assert first.version == 2
    assert dict(
        ReportValue.objects.filter(report=report).values_list("indicator_code", "value")
    ) == {"lop_hoc": 6}


def test_accepting_outside_subtree_is_404(tree):
    editor = tree.users["a.editor"]
    report = report_submit(
        report=report_save(report=_new(tree), user=editor, version=0), user=editor
    )
    with pytest.raises(NotFound):
        report_accept(report=report, user=tree.users["xa.editor"])


def test_submitting_tells_the_parents_approvers(demo, django_capture_on_commit_callbacks):
    campaign = demo.campaigns[max(demo.campaigns)]
    unit = demo.units["thcs_ngoclam"]
    editor = demo.users["thcs.ngoclam"]
    report = Report(campaign=campaign, unit=unit)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_save(report=report, user=editor, version=0, values={"lop_hoc": 2})
        report_submit(report=report, user=editor)
    url = reverse("reports:report", args=[campaign.pk, unit.pk])
    ours = Notification.objects.filter(kind="report_submitted", url=url)
    # The school's parent since the 2025 reform: the new phường Bồ Đề.
    notice = ours.get(user=demo.users["phuongmoi.bode"])
    assert "Trường THCS Ngọc Lâm" in notice.title
    # The school itself is not notified of its own submission, nor the abolished office.
    assert not ours.filter(user=editor).exists()
    assert not ours.filter(user__in=[demo.users["pgd.longbien"], demo.users["cv.longbien"]])
    assert any(demo.users["phuongmoi.bode"].email in m.to for m in mail.outbox)
