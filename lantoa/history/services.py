import json

from django.core.serializers.json import DjangoJSONEncoder

from lantoa.history.models import HistoryEntry


def _plain(data: dict | None) -> dict | None:
    return None if data is None else json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def history_record(
    *,
    actor,
    unit,
    obj,
    action: str,
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> HistoryEntry:
    return HistoryEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        unit=unit,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        action=action,
        summary=summary[:500],
        before=_plain(before),
        after=_plain(after),
    )
