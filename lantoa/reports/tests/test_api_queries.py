"""The deadline surge's cycle (GET the report, PUT its values, POST submit) runs a fixed,
small number of queries; these counts are the budget (docs/operations.md, "Deadline
surge"): a change that adds a query to the hot path fails here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lantoa.accounts.services import token_create
from lantoa.campaigns.selectors import indicator_set
from lantoa.conftest import ApiClient
from lantoa.reports.lines.services import rollup_check
from lantoa.reports.models import Report
from lantoa.reports.services import report_return
from lantoa.reports.tests.factories import build_tree

# BEGIN and COMMIT included; the campaign's indicator set is cached. GET: token with the
# user's memberships, report (+ node with campaign and unit before the first save); PUT: +
# the report, the changed values (and the removed ones), version, history; submit: + locks,
# node, report, values, node totals, administrative subtree totals, version, history, the
# parent's approvers, their notices.
BUDGET = {
    "GET new": 3,
    "PUT new": 9,
    "submit": 14,
    "GET saved": 2,
    "PUT saved": 9,  # one value changed, one added (one upsert), one removed (one delete)
}


@pytest.fixture
def tree(db):
    return build_tree()


def _counted(counts: dict, kind: str, call):
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200, response.content
    counts[kind] = len(queries)
    return response.json()


def test_save_and_submit_cycle_query_budget(tree):
    url = f"/api/v1/reports/{tree.campaign.pk}/{tree['a'].pk}"
    api = ApiClient(token_create(user=tree.users["a.editor"])[0])
    # The first request stamps the token's last use and builds the reporting tree.
    assert api.get(f"/api/v1/reports/{tree.campaign.pk}/{tree['b'].pk}").status_code == 404
    indicator_set(tree.campaign)
    counts: dict[str, int] = {}
    body = _counted(counts, "GET new", lambda: api.get(url))
    assert body["version"] == 0 and body["values"] == {}
    values = {"lop_hoc": 5, "lop_hoc_truc_tuyen": 2}
    body = _counted(counts, "PUT new", lambda: api.put(url, {"version": 0, "values": values}))
    assert body["values"] == values and body["version"] == 1
    body = _counted(counts, "submit", lambda: api.post(f"{url}/submit"))
    assert body["state"] == "submitted" and body["values"] == values
    report_return(
        report=Report.objects.get(unit=tree["a"]),
        user=tree.users["phong.approver"],
        reason="Thiếu số liệu lớp học.",
    )
    body = _counted(counts, "GET saved", lambda: api.get(url))
    assert body["state"] == "returned" and body["values"] == values
    values = {"lop_hoc": 7, "nguoi_hoc": 40}
    version = body["version"]
    body = _counted(
        counts, "PUT saved", lambda: api.put(url, {"version": version, "values": values})
    )
    assert body["values"] == values and body["version"] == version + 1
    assert counts == BUDGET
    # What the fewer statements wrote is whole: stored values, totals and the check.
    assert (
        dict(Report.objects.get(unit=tree["a"]).values.values_list("indicator_code", "value"))
        == values
    )
    assert rollup_check(campaign=tree.campaign) == []


def test_resubmit_query_budget_and_totals(tree):
    url = f"/api/v1/reports/{tree.campaign.pk}/{tree['a'].pk}"
    api = ApiClient(token_create(user=tree.users["a.editor"])[0])
    api.put(url, {"version": 0, "values": {"lop_hoc": 3}})
    api.post(f"{url}/submit")
    report_return(
        report=Report.objects.get(unit=tree["a"]),
        user=tree.users["phong.approver"],
        reason="Thiếu số liệu lớp học.",
    )
    version = api.get(url).json()["version"]
    api.put(url, {"version": version, "values": {"lop_hoc": 9}})
    counts: dict[str, int] = {}
    body = _counted(counts, "submit", lambda: api.post(f"{url}/submit"))
    assert body["state"] == "submitted" and body["values"] == {"lop_hoc": 9}
    assert counts == {"submit": BUDGET["submit"]}
    assert rollup_check(campaign=tree.campaign) == []


def test_changed_indicator_set_is_read_again(db):
    from datetime import date

    from lantoa.accounts.models import Membership, User
    from lantoa.campaigns.models import Campaign
    from lantoa.core.errors import ValidationError
    from lantoa.reports.services import indicator_set_update, report_save

    tree = build_tree(year=2031, due_on=date(2031, 10, 12))  # the Week has not begun
    owner = User.objects.create_user(username="bo.editor", password="x")
    Membership.objects.create(user=owner, unit=tree["bo"], role="editor")
    assert "lop_hoc" in [i.code for i in indicator_set(tree.campaign)[0]]
    indicator_set_update(
        campaign=tree.campaign,
        user=owner,
        indicators=[{"code": "moi", "name": "Chỉ tiêu mới", "group": "Khác"}],
        rules=[],
    )
    editor = tree.users["a.editor"]
    with pytest.raises(ValidationError):
        report_save(
            report=Report(campaign=tree.campaign, unit=tree["a"], version=0),
            user=editor,
            version=0,
            values={"lop_hoc": 1},
        )
    fresh = Campaign.objects.get(pk=tree.campaign.pk)  # as a request reads it
    report = report_save(
        report=Report(campaign=fresh, unit=tree["a"], version=0),
        user=editor,
        version=0,
        values={"moi": 4},
    )
    assert dict(report.values.values_list("indicator_code", "value")) == {"moi": 4}
