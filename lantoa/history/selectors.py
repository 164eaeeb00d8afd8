from lantoa.core.tree import subtree_q
from lantoa.history.models import HistoryEntry


def history_for_subtree(*, unit, object_type: str | None = None):
    qs = HistoryEntry.objects.filter(subtree_q(unit.path, "unit__path")).select_related(
        "actor", "unit"
    )
    if object_type:
        qs = qs.filter(object_type=object_type)
    return qs


def history_for_object(*, obj):
    return HistoryEntry.objects.filter(
        object_type=obj._meta.model_name, object_id=str(obj.pk)
    ).select_related("actor", "unit")
