"""Every measure and pupil group, read once a request (a page reads them for its options anyway), and their ids
by code: the pooled-figure reads filter on ids, so the database walks the index of the figures asked for instead
of joining the two small tables first (``schools.figures``)."""

from __future__ import annotations

from . import request_memo
from .models import Measure, PupilGroup


def measures() -> dict[str, Measure]:
    """Every measure by code, with its key stage (one query; once a request)."""
    every = request_memo.remember(("measures",), _measures)
    return dict(every) if every is not None else _measures()


def _measures() -> dict[str, Measure]:
    return {m.code: m for m in Measure.objects.select_related("key_stage")}


def pupil_groups() -> dict[str, PupilGroup]:
    """Every pupil group by code, with its comparison group (one query; once a request)."""
    every = request_memo.remember(("pupil groups",), _pupil_groups)
    return dict(every) if every is not None else _pupil_groups()


def _pupil_groups() -> dict[str, PupilGroup]:
    return {g.code: g for g in PupilGroup.objects.select_related("comparison")}


def remembered() -> tuple[dict[str, Measure], dict[str, PupilGroup]] | None:
    """(measures, groups) by code when this request has read them already, else None: a read outside a page
    (or before its options) filters by code rather than spend a query on the ids."""
    every, groups = request_memo.recall(("measures",)), request_memo.recall(("pupil groups",))
    return None if every is None or groups is None else (every, groups)
