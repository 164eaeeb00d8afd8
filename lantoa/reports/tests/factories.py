"""A small hand-built tree for roll-up arithmetic (no demo world needed)."""

from dataclasses import dataclass, field
from datetime import date

from lantoa.accounts.models import Membership, User
from lantoa.campaigns.models import Campaign, ReportingDeadline
from lantoa.campaigns.services import campaign_create
from lantoa.reports.models import COUNTED_STATES, Report, ReportValue
from lantoa.units.models import Unit


def _child(parent, **fields):
    return Unit.objects.add_child(parent, instance=Unit(**fields))


@dataclass
class Tree:
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    campaign: Campaign | None = None

    def __getitem__(self, key: str) -> Unit:
        return self.units[key]


def build_tree(*, year: int = 2023, due_on: date = date(2023, 10, 12)) -> Tree:
    """bo → province → district office → schools a, b (+ c closed early); province → commune → centre."""
    t = Tree()
    root = Unit.objects.add_root(instance=Unit(name="Bộ GDĐT (thử)", kind="bo_gddt"))
    t.units["bo"] = root
    t.units["tinh"] = _child(root, name="UBND tỉnh Thử", kind="ubnd_tinh")
    t.units["phong"] = _child(t["tinh"], name="Phòng GDĐT Thử", kind="phong_gddt")
    t.units["a"] = _child(t["phong"], name="Trường TH A", kind="truong_th")
    t.units["b"] = _child(t["phong"], name="Trường THCS B", kind="truong_thcs")
    t.units["c"] = _child(
        t["phong"], name="Trường MN C (đã sáp nhập)", kind="truong_mn", valid_to=date(2023, 6, 30)
    )
    t.units["xa"] = _child(t["tinh"], name="UBND xã Thử", kind="ubnd_xa")
    t.units["htcd"] = _child(t["xa"], name="Trung tâm HTCĐ xã Thử", kind="tt_htcd")
    t.campaign = campaign_create(
        year=year,
        title=f"Tuần lễ {year}",
        theme="Chủ đề thử",
        starts_on=date(year, 10, 1),
        ends_on=date(year, 10, 7),
        owner_unit=root,
    )
    ReportingDeadline.objects.create(campaign=t.campaign, unit=root, due_on=date(year, 10, 30))
    ReportingDeadline.objects.create(campaign=t.campaign, unit=t["tinh"], due_on=date(year, 10, 20))
    ReportingDeadline.objects.create(campaign=t.campaign, unit=t["phong"], due_on=due_on)
    for key, role in (
        ("a", "editor"),
        ("b", "editor"),
        ("phong", "approver"),
        ("tinh", "approver"),
        ("phong", "editor"),
        ("xa", "editor"),
    ):
        username = f"{key}.{role}"
        user = User.objects.create_user(username=username, password="x")
        Membership.objects.create(user=user, unit=t[key], role=role)
        t.users[username] = user
    return t


def put_report(tree: Tree, key: str, state: str, values: dict[str, int], *, on_time=True) -> Report:
    """Write a report directly (arithmetic tests; the services are tested separately)."""
    report = Report.objects.create(
        campaign=tree.campaign, unit=tree[key], state=state, on_time=on_time
    )
    ReportValue.objects.bulk_create(
        ReportValue(
            report=report,
            campaign=tree.campaign,
            unit=tree[key],
            indicator_code=code,
            value=value,
            counted=state in COUNTED_STATES,
        )
        for code, value in values.items()
    )
    # Keep a built reporting tree's node totals in step, as the services do.
    from lantoa.reports.lines.services import contribution, node_expected, reporting_totals_apply

    expected = node_expected(campaign_id=tree.campaign.pk, unit_id=tree[key].pk)
    reporting_totals_apply(
        report=report,
        before={},
        after=contribution(state=state, on_time=on_time, expected=expected, values=values),
    )
    return report
