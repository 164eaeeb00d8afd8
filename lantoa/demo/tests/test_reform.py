"""Issue 8: the 2025 reform applied to the demo as a real restructuring (``demo.reform``:
Long Biên's schools and community learning centres moved under the four new wards), and
past campaigns' totals that no move, merge or split changes (their reporting trees were
frozen when those campaigns closed)."""

from datetime import date
from decimal import Decimal

import pytest

from lantoa.campaigns.models import Campaign
from lantoa.demo import reform
from lantoa.history.models import HistoryEntry
from lantoa.reports.lines.selectors import completeness, rollup
from lantoa.reports.lines.services import rollup_check
from lantoa.units.models import Unit
from lantoa.units.services import unit_close, unit_move

pytestmark = pytest.mark.django_db

PAST = (2020, 2021, 2023)


def fresh(unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


def past_figures(demo) -> dict:
    figures = {}
    for campaign in Campaign.objects.filter(year__in=PAST):
        for key in ("bo", "so_hanoi", "pgd_longbien", "ubnd_longbien"):
            unit = fresh(demo[key])
            done = completeness(campaign=campaign, unit=unit)
            figures[(campaign.year, key)] = (
                rollup(campaign=campaign, unit=unit)["totals"],
                done["expected"],
                done["submitted"],
            )
    return figures


def test_past_totals_do_not_change_when_units_move_merge_or_split(demo):
    before = past_figures(demo)
    # Long Biên's office consolidated its schools in the seeds' years.
    assert any(totals for (year, key), (totals, *_r) in before.items() if key == "pgd_longbien")
    reform.build(demo)
    assert past_figures(demo) == before
    admin = demo.users["admin"]
    school = fresh(demo["thcs_ngoclam"])
    unit_move(unit=school, new_parent=demo["new_viethung"], version=school.version, user=admin)
    unit_close(
        unit=fresh(demo["th_giathuy"]),
        valid_to=date(2026, 6, 30),
        successors=[(demo["new_bode"], Decimal("0.5")), (demo["new_longbien"], Decimal("0.5"))],
        actor=admin,
    )
    unit_close(
        unit=fresh(demo["mn_hoasua"]),
        valid_to=date(2026, 6, 30),
        successors=[(demo["new_bode"], None)],
        actor=admin,
    )
    assert past_figures(demo) == before
    for campaign in Campaign.objects.filter(year__in=PAST):
        assert rollup_check(campaign=campaign) == []


def test_the_new_wards_hold_long_biens_schools_and_centres(demo):
    reform.build(demo)
    reform.build(demo)  # twice changes nothing
    new_bode = fresh(demo["new_bode"])
    children = set(
        Unit.objects.filter(path__startswith=new_bode.path, depth=new_bode.depth + 1).values_list(
            "code", flat=True
        )
    )
    # Schools of Ngọc Lâm, Gia Thụy, Ngọc Thụy; the centres of the wards merged into Bồ Đề.
    assert {"HN-LB-THCS-NL", "HN-LB-TH-GT", "HN-LB-TH-NT"} <= children
    assert {"HN-LB-01-HTCD", "HN-LB-04-HTCD", "HN-LB-07-HTCD", "HN-LB-08-HTCD"} <= children
    assert Unit.objects.filter(pk=demo["pgd_longbien"].pk, numchild=1).exists()  # GDNN centre
    # Nothing live is left under the abolished district.
    assert not Unit.objects.subtree_of(fresh(demo["ubnd_longbien"])).filter(valid_to=None)
    moved = HistoryEntry.objects.get(action="move", object_id=str(demo["th_giathuy"].pk))
    assert moved.before["parent"] == "Phòng Giáo dục và Đào tạo quận Long Biên"
    assert moved.after["parent"] == "UBND phường Bồ Đề"
