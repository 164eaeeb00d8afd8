"""The product dashboard (Tổng quan): what the user's unit has to do now, across apps."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Window
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from lantoa.accounts.permissions import Role, has_role, has_role_at
from lantoa.activities.selectors import activities_for_user
from lantoa.campaigns.selectors import campaign_collecting, campaigns_list
from lantoa.documents.models import AssignmentProgress
from lantoa.documents.selectors import inbox_for_user, tasks_for_unit
from lantoa.honours.selectors import nominations_to_review
from lantoa.overview.selectors import documents_to_approve
from lantoa.reports.lines.selectors import (
    completeness_by_line,
    has_reporting_children,
    line_deadline_for_unit,
    line_node,
)
from lantoa.reports.models import Report, ReportState
from lantoa.reports.selectors import reports_awaiting_review
from lantoa.units.models import Unit
from lantoa.units.selectors import unit_children

CHILDREN_SHOWN = 30
ITEMS_SHOWN = 5


def home(request):
    """Office users land on their dashboard; citizens on the public portal."""
    if request.user.is_authenticated:
        return redirect("overview:dashboard")
    return redirect("portal:home")


def _first_and_count(qs, n: int = ITEMS_SHOWN) -> tuple[list, int]:
    """The first ``n`` rows and the total, in one query (a window count over the whole set)."""
    rows = list(qs.annotate(total_rows=Window(Count("pk")))[:n])
    return rows, (rows[0].total_rows if rows else 0)


def _own_report(campaign, unit, node) -> dict:
    report = (
        Report.objects.filter(campaign=campaign, unit=unit)
        .only("id", "state", "version", "submitted_at", "accepted_at", "returned_reason", "on_time")
        .first()
    )
    state = report.state if report else ""
    badge = {
        ReportState.ACCEPTED: "badge-ok",
        ReportState.SUBMITTED: "badge-ok",
        ReportState.RETURNED: "badge-bad",
    }.get(state, "badge-warn")
    due_on = line_deadline_for_unit(campaign=campaign, unit=unit, node=node)
    today = timezone.localdate()
    return {
        "report": report,
        "state": state,
        "state_label": report.get_state_display() if report else "",
        "badge": badge,
        "due_on": due_on,
        "overdue": bool(
            due_on and due_on < today and state not in (ReportState.SUBMITTED, ReportState.ACCEPTED)
        ),
        "days_left": (due_on - today).days if due_on and due_on >= today else None,
    }


def _completeness(campaign, unit) -> dict:
    """The card "Tiến độ báo cáo của đơn vị trực thuộc", along the reporting tree."""
    completeness = completeness_by_line(campaign=campaign, unit=unit)
    expected = completeness["expected"]
    completeness["missing_shown"] = completeness["missing"][:ITEMS_SHOWN]
    completeness["rate"] = (
        round(completeness["submitted"] * 100 / expected, 1) if expected else None
    )
    return completeness


@login_required
def dashboard(request):
    user = request.user
    membership = request.membership
    unit = membership.unit if membership else None
    if unit is None and user.is_superuser:
        unit = Unit.objects.filter(depth=1).order_by("path").first()  # the ministry
    campaigns = list(campaigns_list())
    chosen = request.GET.get("campaign")
    if chosen:
        # ?campaign=<id>: one of the listed campaigns (no extra query), else 404.
        campaign = next((c for c in campaigns if str(c.pk) == chosen.strip()), None)
        if campaign is None:
            raise Http404
    else:
        # The Week whose reports are being chased, not next year's (issue 12).
        campaign = campaign_collecting(campaigns)
    context = {
        "unit": unit,
        "campaign": campaign,
        "campaigns": campaigns,
        "children": [],
        "children_more": 0,
    }

    # Documents: the inbox of the unit the user works as, and what waits for its signature.
    inbox = inbox_for_user(user=user, unread_first=False).filter(
        unit_id=membership.unit_id if membership else None
    )
    context["inbox"] = list(inbox[:ITEMS_SHOWN])
    context["inbox_unread"] = inbox.filter(read_at__isnull=True).count()
    context["to_approve"], context["to_approve_count"] = _first_and_count(
        documents_to_approve(user=user)
    )
    context["nominations"], context["nominations_count"] = _first_and_count(
        nominations_to_review(user=user)
    )
    if unit is None:
        return render(request, "overview/dashboard.html", context)

    is_approver = has_role(user, unit, Role.APPROVER)
    context["is_approver"] = is_approver
    context["can_remind"] = has_role(user, unit, Role.EDITOR)
    # The unit's place in the campaign's reporting tree: a Sở GDĐT, a leaf administratively,
    # consolidates its whole province along the lines the plans set.
    node = line_node(campaign=campaign, unit=unit) if campaign else None
    if membership is None or has_role_at(user, unit, Role.VIEWER):
        context["own"] = _own_report(campaign, unit, node) if campaign else None
        context["can_fill"] = has_role_at(user, unit, Role.EDITOR)
    if unit.numchild:
        children = list(unit_children(unit=unit)[:CHILDREN_SHOWN])
        context["children"] = children
        context["children_more"] = max(unit.numchild - len(children), 0)
    if campaign and (unit.numchild or has_reporting_children(node)):
        context["completeness"] = _completeness(campaign, unit)
        if is_approver:
            context["reviews"], context["reviews_count"] = _first_and_count(
                reports_awaiting_review(
                    user=user, campaign=campaign, unit=unit, node=node
                ).order_by("submitted_at", "unit__path")
            )

    tasks = [t for t in tasks_for_unit(unit=unit) if t["status"] != AssignmentProgress.DONE]
    context["tasks"] = tasks[:ITEMS_SHOWN]
    context["tasks_count"] = len(tasks)
    context["activities"] = list(
        activities_for_user(user=user, unit=unit)
        .filter(starts_at__gte=timezone.now(), cancelled=False)
        .order_by("starts_at", "id")[:ITEMS_SHOWN]
    )
    return render(request, "overview/dashboard.html", context)
