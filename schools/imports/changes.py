"""The record an import keeps of each row it writes (an :class:`ImportChange`), read back by rollback: a created
row is deleted, an updated one gets its ``previous`` values again."""

from __future__ import annotations

from ..models import ImportChange


def _change(batch, kind: str, object_id: int, action: str) -> ImportChange:
    return ImportChange(batch=batch, kind=kind, object_id=object_id, action=action)


def created_change(batch, kind: str, object_id: int) -> ImportChange:
    """The batch created row ``object_id`` of ``kind``: rollback deletes it."""
    return _change(batch, kind, object_id, ImportChange.Action.CREATED)


def updated_change(
    batch, kind: str, object_id: int, previous: dict, previous_batch_id: int | None = None
) -> ImportChange:
    """The batch changed row ``object_id`` of ``kind``, whose values were ``previous`` (written by batch
    ``previous_batch_id``, if known): rollback puts them back."""
    change = _change(batch, kind, object_id, ImportChange.Action.UPDATED)
    change.previous, change.previous_batch_id = previous, previous_batch_id
    return change
