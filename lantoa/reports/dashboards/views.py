from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from lantoa.accounts.selectors import unit_get_for_user
from lantoa.campaigns.selectors import (
    campaign_collecting,
    campaign_get,
    campaigns_list,
)
from lantoa.reports.dashboards.selectors import (
    activities_by_type,
    reporting_timeline,
    year_over_year,
)
from lantoa.reports.lines.selectors import LINE_ADMIN, LINE_REPORTING
from lantoa.reports.lines.selectors import rollup as line_rollup
from lantoa.reports.permissions import can_remind
from lantoa.reports.selectors import indicators_for


def _campaign_and_unit(request):
    campaign = (
        campaign_get(request.GET["campaign"])
        if request.GET.get("campaign")
        else campaign_collecting()
    )
    if request.GET.get("unit"):
        unit = unit_get_for_user(request.user, request.GET["unit"])
    else:
        unit = request.membership.unit if request.membership else None
    return campaign, unit


def _chart_data(*, timeline, rollup, indicator, activities, yoy, yoy_row) -> dict:
    code = indicator.code if indicator else None
    return {
        "timeline": {
            "labels": [d["day"].strftime("%d/%m") for d in timeline["days"]],
            "submitted": [d["submitted"] for d in timeline["days"]],
            "expected": timeline["expected"],
            "deadline": timeline["last_due"].strftime("%d/%m") if timeline["last_due"] else None,
            "label_submitted": _("Đã nộp (cộng dồn)"),
            "label_expected": _("Phải nộp"),
        },
        "children": {
            "labels": [r["unit_name"] for r in rollup["rows"]],
            "values": [r["values"].get(code, 0) for r in rollup["rows"]],
            "label": indicator.name if indicator else "",
        },
        "activities": {
            "labels": [a["name"] for a in activities],
            "values": [a["count"] for a in activities],
            "label": _("Số hoạt động"),
        },
        "yoy": {
            "labels": [str(c.year) for c in yoy["campaigns"]],
            "values": yoy_row["values"] if yoy_row else [],
            "label": yoy_row["name"] if yoy_row else "",
        },
    }


@login_required
def campaign_dashboard(request):
    campaign, unit = _campaign_and_unit(request)
    # ``?line=admin``: the administrative tree; the campaign's reporting lines by default.
    line = LINE_ADMIN if request.GET.get("line") == LINE_ADMIN else LINE_REPORTING
    context = {
        "campaign": campaign,
        "unit": unit,
        "campaigns": list(campaigns_list()),
        "line": line,
    }
    if campaign is None or unit is None:
        return render(request, "reports/dashboards/campaign.html", context)
    timeline = reporting_timeline(campaign=campaign, unit=unit, line=line)
    rollup = line_rollup(campaign=campaign, unit=unit, line=line)
    indicators = indicators_for(campaign)
    wanted = request.GET.get("indicator", "")
    indicator = next((i for i in indicators if i.code == wanted), None) or next(
        (i for i in indicators if rollup["totals"].get(i.code)),
        indicators[0] if indicators else None,
    )
    activities = activities_by_type(campaign=campaign, unit=unit)
    yoy = year_over_year(unit=unit)
    yoy_row = next((r for r in yoy["rows"] if indicator and r["code"] == indicator.code), None)
    missing = timeline["expected"] - timeline["submitted"]
    context.update(
        {
            "timeline": timeline,
            "missing": missing,
            "rate": round(100 * timeline["submitted"] / timeline["expected"], 1)
            if timeline["expected"]
            else None,
            "rollup": rollup,
            # One readable bar per child: the chart grows with the number of children.
            "children_chart_rem": min(160, max(18, 4 + 2 * len(rollup["rows"]))),
            "indicators": indicators,
            "indicator": indicator,
            "activities": activities,
            "activities_total": sum(a["count"] for a in activities),
            "yoy": yoy,
            "can_remind": missing > 0 and can_remind(request.user, unit),
            "charts": _chart_data(
                timeline=timeline,
                rollup=rollup,
                indicator=indicator,
                activities=activities,
                yoy=yoy,
                yoy_row=yoy_row,
            ),
        }
    )
    return render(request, "reports/dashboards/campaign.html", context)
