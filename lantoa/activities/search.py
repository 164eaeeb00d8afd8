"""The words a citizen types to find an activity near them: its title, type, place and the
names of the organiser's commune/ward, district and province, diacritic-free.

Pure functions over units' ``path``/``depth``/``kind``/``name``/``place_name`` so the data
migration can use them with historical models too."""

import re

from lantoa.core.text import fold

STEPLEN = 4  # treebeard's materialised path: 4 characters per level
PLACE_KINDS = ("ubnd_tinh", "ubnd_huyen", "ubnd_xa")
BATCH = 2000


def search_text_of(*parts: str) -> str:
    """Folded words padded with spaces, so a search can match whole words (" tin ")."""
    words = re.sub(r"[^\w]+", " ", fold(" ".join(p or "" for p in parts))).split()
    return f" {' '.join(words)} "


def lineage_paths(path: str) -> list[str]:
    """The unit's own path and its ancestors' paths."""
    return [path[:i] for i in range(STEPLEN, len(path) + 1, STEPLEN)]


def place_label(unit) -> str:
    """ "UBND phường Bồ Đề" → "Phường Bồ Đề"; "UBND thành phố Hà Nội" → "Thành phố Hà Nội"."""
    name = unit.name.removeprefix("UBND ").strip()
    return name[:1].upper() + name[1:]


def places_by_path(unit_model, paths) -> dict:
    """Local-government units (province, district, commune) among ``paths``, in one query."""
    wanted = {p for path in paths for p in lineage_paths(path)}
    if not wanted:
        return {}
    return {
        u.path: u
        for u in unit_model.objects.filter(path__in=wanted, kind__in=PLACE_KINDS).only(
            "id", "path", "kind", "name", "place_name"
        )
    }


def places_of(path: str, known: dict) -> list:
    """The unit's places, nearest first (commune, district, province)."""
    return [known[p] for p in reversed(lineage_paths(path)) if p in known]


def activity_search_text(activity, *, unit, type_name: str, places: list) -> str:
    names = []
    for place in places:
        names += [place.name.removeprefix("UBND "), place.place_name]
    return search_text_of(
        activity.title,
        activity.location,
        unit.name,
        type_name,
        *names,
        (activity.description or "")[:500],
    )


def subtree_roots(paths) -> list[str]:
    """The fewest path prefixes covering ``paths`` (a unit inside another's subtree drops out):
    sorted materialised paths put a subtree right after its root."""
    roots: list[str] = []
    for path in sorted(paths):
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    return roots


def reindex(activity_model, unit_model, *, where=None) -> int:
    """Rebuild the search text of every activity (or those ``where`` selects) in batches (a few
    queries per batch)."""
    done, last = 0, 0
    activities = (
        activity_model.objects.filter(where) if where is not None else activity_model.objects
    )
    while True:
        batch = list(
            activities.filter(pk__gt=last).select_related("unit", "type").order_by("pk")[:BATCH]
        )
        if not batch:
            return done
        known = places_by_path(unit_model, {a.unit.path for a in batch})
        for a in batch:
            a.search_text = activity_search_text(
                a, unit=a.unit, type_name=a.type.name, places=places_of(a.unit.path, known)
            )
        activity_model.objects.bulk_update(batch, ["search_text"])
        done += len(batch)
        last = batch[-1].pk
