"""A data manager imports schools and results for their own LA only (an administrator for any LA).

Published comparators (benchmarks, LAIT, statistical neighbours) are national data and are not limited.
"""

from __future__ import annotations

import pandas as pd

from ..access import import_la
from ..models import School
from .facts import RESULT
from .problems import Problem

__all__ = ["acting_user", "check_scope", "import_la"]


def acting_user(user):
    """The user an import, a rollback or a history record names: ``None`` for the command line."""
    return user if getattr(user, "is_authenticated", False) else None


def _outside(row, column, value, code, scope_la, what) -> Problem:
    return Problem(
        row=row,
        column=column,
        value=value,
        reason=(
            f"{what} is in LA {code}: you may import only for your LA ({scope_la}). An administrator can import it."
        ),
    )


def check_scope(
    problems: list[Problem],
    scope_la: str | None,
    *,
    register=None,
    facts: pd.DataFrame | None = None,
    new_schools=(),
    school_ids: dict[int, int] | None = None,
) -> None:
    """Add an error for every row that would create or change a school, or a school's results, outside
    ``scope_la`` (nothing when ``scope_la`` is ``None``)."""
    if scope_la is None:
        return
    if register is not None:
        for record in register.rows:
            if record["la_code"] != scope_la:
                problems.append(
                    _outside(record["row"], "LA (code)", record["la_code"], record["la_code"], scope_la, "This school")
                )
        elsewhere = dict(
            School.objects.filter(urn__in=[r["urn"] for r in register.rows])
            .exclude(la__code=scope_la)
            .values_list("urn", "la__code")
        )
        for record in register.rows:
            if record["urn"] in elsewhere and record["la_code"] == scope_la:
                problems.append(
                    _outside(
                        record["row"],
                        "URN",
                        str(record["urn"]),
                        elsewhere[record["urn"]],
                        scope_la,
                        "This school (known to gapmonitor)",
                    )
                )
    for record in new_schools:
        if record["la_code"] != scope_la:
            problems.append(
                _outside(record["row"], "LEA", record["la_code"], record["la_code"], scope_la, "This new school")
            )
    if facts is not None and len(facts) and school_ids:
        elsewhere = dict(
            School.objects.filter(pk__in=list(school_ids.values()))
            .exclude(la__code=scope_la)
            .values_list("urn", "la__code")
        )
        if elsewhere:
            results = facts[(facts["target"] == RESULT) & facts["urn"].isin(list(elsewhere))]
            for row, urn in results.drop_duplicates("row")[["row", "urn"]].itertuples(index=False):
                problems.append(_outside(int(row), "URN", str(int(urn)), elsewhere[int(urn)], scope_la, "This school"))
