"""The audit trail, read from django-simple-history's records.

Every audited model inherits ``gapmonitor.models.Audited`` (its ``history``; users are
registered in ``gapmonitor.models``). Imports are audited as ImportBatch rows,
and every result points to the batch that last wrote it.
"""

from dataclasses import dataclass
from datetime import datetime
from heapq import merge

from simple_history.models import registered_models

from .models import SensitiveExport

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class Entry:
    when: datetime
    who: str
    action: str
    model: str
    object_repr: str
    changes: list[tuple[str, str, str]]
    reason: str = ""


def _who(record) -> str:
    user = getattr(record, "history_user", None)
    return user.get_username() if user else "system"


def _changes(record) -> list[tuple[str, str, str]]:
    previous = record.prev_record if record.history_type == "~" else None
    if previous is None:
        return []
    delta = record.diff_against(previous)
    return [(change.field, _short(change.old), _short(change.new)) for change in delta.changes]


def _short(value, limit: int = 120) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _entry(record, model_name: str, with_changes: bool) -> Entry:
    return Entry(
        when=record.history_date,
        who=_who(record),
        action=ACTIONS.get(record.history_type, record.history_type),
        model=model_name,
        object_repr=_short(record.instance if with_changes else record.history_object),
        changes=_changes(record) if with_changes else [],
        reason=record.history_change_reason or "",
    )


def history_of(obj, limit: int = 50) -> list[Entry]:
    """An object's history, newest first, with what changed in each step."""
    history = getattr(obj, "history", None)
    if history is None:
        return []
    records = history.select_related("history_user").order_by("-history_date", "-history_id")[:limit]
    name = obj._meta.verbose_name
    return [_entry(record, name, with_changes=True) for record in records]


def site_log(limit: int = 200) -> list[Entry]:
    """The newest changes across every audited model: one query per model, merged by date."""
    streams = []
    for model in registered_models.values():
        manager = getattr(model, "history", None)  # m2m through tables are registered too; skip them
        if manager is None:
            continue
        history_model = manager.model
        records = history_model.objects.select_related("history_user").order_by("-history_date")[:limit]
        name = model._meta.verbose_name
        streams.append(
            [
                Entry(
                    when=r.history_date,
                    who=_who(r),
                    action=ACTIONS.get(r.history_type, r.history_type),
                    model=name,
                    object_repr=_short(r.history_object),
                    changes=[],
                    reason=r.history_change_reason or "",
                )
                for r in records
            ]
        )
    return list(merge(*streams, key=lambda entry: entry.when, reverse=True))[:limit]


def record_sensitive_export(user, *, path: str, response, count: int):
    """Write to the audit log that ``user`` took an export showing ``count`` small-cohort figures."""
    file_name = response["Content-Disposition"].split('filename="', 1)[-1].rstrip('"')
    return SensitiveExport.objects.create(
        user=user if user.is_authenticated else None,
        path=path[:500],
        file_name=file_name[:255],
        small_cohort_figures=count,
    )
