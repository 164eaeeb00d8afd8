"""The 2025 reform done as a real restructuring (DEMO.md): once 2020–2023 are recorded (their
reporting trees frozen when those campaigns closed), Long Biên's live schools and community
learning centres are moved under the four new wards through ``unit_move``, with history;
the old wards and the district already ended on 30/6/2025 with their successors (shares
where a ward was split, see ``world.WARD_SPLITS``). Open campaigns' reporting trees are
rebuilt on the new tree; the closed ones keep theirs, so past totals do not change.

The last step of ``lantoa demo`` (``STEPS``); running it again changes nothing."""

from lantoa.activities.services import activities_search_reindex
from lantoa.campaigns.models import Campaign
from lantoa.demo.world import LONG_BIEN_WARDS, World
from lantoa.reports.lines.services import reporting_tree_build
from lantoa.reports.models import ReportingNode
from lantoa.units.models import Unit
from lantoa.units.services import unit_move

# The schools of the seeds' Long Biên and the new ward each now belongs to.
SCHOOLS = {
    "thcs_ngoclam": "new_bode",
    "th_giathuy": "new_bode",
    "th_ngocthuy": "new_bode",
    "mn_hoasua": "new_longbien",
    "thcs_phucloi": "new_phucloi",
}


def moves() -> list[tuple[str, str]]:
    """(unit key, new parent key): each school, and each ward's community learning centre
    under the ward's (primary) successor."""
    centres = [(f"htcd_{code[-2:]}", f"new_{successor}") for _n, code, successor in LONG_BIEN_WARDS]
    return list(SCHOOLS.items()) + centres


def build(w: World) -> None:
    admin = w.users.get("admin")
    for key, parent_key in moves():
        unit = Unit.objects.get(pk=w.units[key].pk)
        parent = Unit.objects.get(pk=w.units[parent_key].pk)
        if unit.path[: -unit.steplen] == parent.path:
            continue  # already there (e.g. `lantoa demo --force` on a reformed tree)
        unit_move(unit=unit, new_parent=parent, version=unit.version, user=admin)
    for campaign in Campaign.objects.filter(closed_on__isnull=True):
        if ReportingNode.objects.filter(campaign=campaign).exists():
            reporting_tree_build(campaign=campaign)
    # Activities are found by their organiser's ward, district and province.
    activities_search_reindex()
