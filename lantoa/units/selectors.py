from lantoa.accounts.selectors import scope_q
from lantoa.core.text import search_q
from lantoa.units.models import Unit, subtree_q


def units_list(
    *, user, q: str = "", parent_id: int | None = None, kind: str = "", include_closed: bool = True
):
    qs = Unit.objects.filter(scope_q(user))
    if parent_id is not None:
        parent = Unit.objects.filter(pk=parent_id).only("path", "depth").first()
        if parent is None:
            return Unit.objects.none()
        qs = qs.filter(subtree_q(parent.path), depth=parent.depth + 1)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(search_q(q))
    if not include_closed:
        qs = qs.filter(valid_to__isnull=True)
    return qs.order_by("path")


def ancestors_map(units: list[Unit]) -> dict[str, Unit]:
    """All ancestors of the given units, in one query, keyed by path."""
    paths = {p for u in units for p in u.ancestor_paths()}
    if not paths:
        return {}
    return {
        a.path: a for a in Unit.objects.filter(path__in=paths).only("id", "name", "path", "depth")
    }


def unit_ancestors(unit: Unit, known: dict[str, Unit]) -> list[Unit]:
    return [known[p] for p in unit.ancestor_paths() if p in known]


def visible_ancestors(*, user, unit: Unit) -> list[Unit]:
    """Breadcrumbs: the unit's ancestors that the user may open."""
    ancestors = list(
        Unit.objects.filter(path__in=unit.ancestor_paths()).filter(scope_q(user)).order_by("path")
    )
    return ancestors


def unit_parent(unit: Unit) -> Unit | None:
    if unit.depth <= 1:
        return None
    return Unit.objects.filter(path=unit.path[: -unit.steplen]).first()


def unit_children(*, unit: Unit):
    return Unit.objects.filter(subtree_q(unit.path), depth=unit.depth + 1).order_by(
        "valid_to", "kind", "name"
    )


def unit_descendant_count(*, unit: Unit) -> int:
    return Unit.objects.subtree_of(unit).count() - 1


def units_export_rows(*, root: Unit) -> list[list[str]]:
    """The live units below ``root`` as rows of the import sheet (``IMPORT_COLUMNS``: code,
    name, kind, parent code, e-mail, address, electronic identifier code), parents before
    children, in one query. Closed units are history, not part of the tree to rebuild."""
    units = list(
        Unit.objects.filter(subtree_q(root.path), valid_to__isnull=True)
        .order_by("path")
        .values_list("path", "code", "name", "kind", "email", "address", "edoc_code")
    )
    code_of = {path: code for path, code, *_rest in units}
    code_of[root.path] = root.code
    return [
        [code, name, kind, code_of.get(path[: -Unit.steplen], ""), email, address, edoc_code]
        for path, code, name, kind, email, address, edoc_code in units
        if path != root.path
    ]
