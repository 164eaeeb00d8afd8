"""Which Week the overview opens on: the one whose reports are being collected."""

from datetime import date

from lantoa.campaigns.models import Campaign
from lantoa.campaigns.selectors import campaign_collecting


def _week(year, closed_on=None):
    return Campaign(
        year=year,
        title=f"Tuần lễ {year}",
        starts_on=date(year, 10, 1),
        ends_on=date(year, 10, 7),
        closed_on=closed_on,
    )


def test_after_the_week_its_reports_are_still_chased_not_next_years():
    weeks = [_week(2024), _week(2025), _week(2026)]
    # December 2025: the 2025 Week is over, its reports are being chased; 2026 is ahead.
    assert campaign_collecting(weeks, today=date(2025, 12, 5)).year == 2025
    # During the 2026 Week: 2026.
    assert campaign_collecting(weeks, today=date(2026, 10, 3)).year == 2026


def test_a_closed_week_gives_way_to_the_next():
    # 2024 still open (never closed) is older than the closed 2025: it is the one chased.
    weeks = [_week(2024), _week(2025, closed_on=date(2025, 12, 1)), _week(2026)]
    assert campaign_collecting(weeks, today=date(2025, 12, 5)).year == 2024
    # Every started week closed: the one ahead.
    weeks = [_week(2025, closed_on=date(2025, 12, 1)), _week(2026)]
    assert campaign_collecting(weeks, today=date(2025, 12, 5)).year == 2026
    assert campaign_collecting([], today=date(2025, 12, 5)) is None
