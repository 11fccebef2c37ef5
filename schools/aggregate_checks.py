"""Pooled figures kept on write, checked against a fresh pooling of the results, and the judgements kept for
ranking against a fresh judgement by the gap engine (``check_figures``)."""

from __future__ import annotations

from . import stored_judgements
from .pooling import COLUMNS, KEPT_LEVELS, SELECTED_KEY, SUMS, pooled_query, published_query


def differences(limit: int = 50) -> tuple[int, list[str]]:
    """Compare every pooled row kept (a cluster's, area's or LA's: a school's are read from its results) with a
    fresh pooling of the results, every LA's published row with its published figure, then every kept judgement
    with the gap engine's judgement of the figures as they are now (``stored_judgements.differences``): (number of
    differences, the first ``limit`` of them described)."""
    from .models import PooledFigure

    fields = SUMS
    stored = {tuple(row[:5]): row[5:] for row in PooledFigure.objects.values_list(*COLUMNS).order_by().iterator(2000)}
    count, described = 0, []

    def note(text):
        nonlocal count
        count += 1
        if len(described) < limit:
            described.append(text)

    fresh_queries = [pooled_query(level) for level in KEPT_LEVELS] + [published_query()]
    for query in fresh_queries:
        for row in query.values_list(*SELECTED_KEY, *fields):
            key, fresh = tuple(row[:5]), row[5:]
            kept = stored.pop(key, None)
            if kept is None:
                note(f"missing: {_describe(key)}")
                continue
            changed = [
                f"{name} stored {a!r}, recomputed {b!r}"
                for name, a, b in zip(fields, kept, fresh, strict=True)
                if not _same(a, b)
            ]
            if changed:
                note(f"differs: {_describe(key)}: " + ", ".join(changed))
    for key in stored:
        note(f"stale (no such results): {_describe(key)}")
    judged, judged_described = stored_judgements.differences(limit=max(0, limit - len(described)))
    return count + judged, described + judged_described


def _same(a, b) -> bool:
    if a is None or b is None:
        return (a is None and b is None) or ({a, b} <= {None, ""})
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)), abs(float(b)))
    return a == b


def _describe(key) -> str:
    level, org, year, measure, group = key
    return f"{level} {org}, {year}, measure {measure}, group {group}"
