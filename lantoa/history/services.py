import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from lantoa.core import prepared
from lantoa.core.bulk import insert_rows
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
    entry = HistoryEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        unit=unit,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        action=action,
        summary=summary[:500],
        before=_plain(before),
        after=_plain(after),
    )
    # A fixed text prepared once per session: every save and transition writes one.
    return prepared.insert([entry])[0]


def history_record_many(*, actor, objects, action: str, summary: str) -> int:
    """One entry per object in one bulk insert (bulk imports); ``summary`` may use {name}."""
    entries = [
        HistoryEntry(
            actor=actor if getattr(actor, "pk", None) else None,
            unit=obj if obj._meta.model_name == "unit" else getattr(obj, "unit", None),
            object_type=obj._meta.model_name,
            object_id=str(obj.pk),
            action=action,
            summary=summary.format(name=str(obj))[:500],
            after={"name": str(obj), "code": getattr(obj, "code", "")},
        )
        for obj in objects
    ]
    HistoryEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


def history_record_rows(*, actor, rows: list[tuple]) -> int:
    """Many entries in one statement (bulk restructuring): each row is
    ``(unit, obj, action, summary, before, after)`` as for ``history_record``."""
    now = timezone.now()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    return insert_rows(
        HistoryEntry,
        [
            {
                "created_at": now,
                "actor_id": actor_id,
                "unit_id": unit.pk if unit is not None else None,
                "object_type": obj._meta.model_name,
                "object_id": str(obj.pk),
                "action": action,
                "summary": summary[:500],
                "before": _plain(before),
                "after": _plain(after),
            }
            for unit, obj, action, summary, before, after in rows
        ],
    )
