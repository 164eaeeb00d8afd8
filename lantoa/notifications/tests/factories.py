"""Test data built through the real services: campaigns, deadlines, submitted reports."""

from datetime import date, datetime, time

from django.utils import timezone

from lantoa.campaigns.models import Campaign, ReportingDeadline
from lantoa.campaigns.services import campaign_create
from lantoa.reports.selectors import report_get_for_user
from lantoa.reports.services import report_save, report_submit


def make_campaign(world, year: int) -> Campaign:
    return campaign_create(
        year=year,
        title=f"Tuần lễ hưởng ứng học tập suốt đời năm {year}",
        theme="Học tập suốt đời cho mọi người",
        starts_on=date(year, 10, 1),
        ends_on=date(year, 10, 7),
        opening_on=date(year, 10, 1),
        owner_unit=world.units["bo"],
    )


def set_deadline(campaign: Campaign, unit, due_on: date, kinds=()) -> ReportingDeadline:
    return ReportingDeadline.objects.create(
        campaign=campaign, unit=unit, due_on=due_on, kinds=list(kinds)
    )


def local(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def submit(world, username: str, unit_key: str, campaign: Campaign, values: dict, on: date):
    user = world.users[username]
    unit = world.units[unit_key]
    report = report_get_for_user(user, campaign.pk, unit.pk)
    report = report_save(report=report, user=user, version=report.version, values=values)
    return report_submit(report=report, user=user, now=local(on))
