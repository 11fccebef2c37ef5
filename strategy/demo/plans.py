"""The strategy demo's plans, from the table in ``plans.toml``: the LA team's plan (after Suffolk, Narrowing the
Gap, Appendix 1), the area, cluster, council and partnership plans and the head's school plan, each with its
actions, their RAG updates, and targets set from the demo figures."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .. import services
from ..models import Plan
from .rows import gap_of, make_action, make_plan, make_target, value_of
from .setting import Setting

PLANS = Path(__file__).with_name("plans.toml")


def write_plans(setting: Setting) -> None:
    """Every plan of the table, in its order, with its actions and targets."""
    with PLANS.open("rb") as file:
        plans = tomllib.load(file)["plan"]
    for spec in plans:
        plan, scope = _plan(setting, spec)
        for action in spec.get("action", []):
            _action(setting, plan, action)
        for target in spec.get("target", []):
            _target(setting, plan, scope, target)


def _year(setting: Setting, text: str) -> int:
    """ "last", "current" or "baseline", with a number of years on: "last+2"."""
    name, _, on = text.partition("+")
    return getattr(setting, name) + int(on or 0)


def _date(setting: Setting, text: str) -> date | None:
    """ "autumn+N" (N days after the demo's autumn term starts) or "YEAR/MM/DD"; "" for none."""
    if not text:
        return None
    if text.startswith("autumn+"):
        return setting.autumn + timedelta(days=int(text.removeprefix("autumn+")))
    year, month, day = text.split("/")
    return date(_year(setting, year), int(month), int(day))


def _plan(setting: Setting, spec: dict[str, Any]) -> tuple[Plan, dict[str, Any]]:
    """The plan and its scope (the LA and at most one area, cluster or school), which its targets share."""
    la, context = setting.la, setting.context
    scope = {
        "": {"la": la},
        "area": {"la": la, "area": context.areas[0]},
        "cluster": {"la": la, "cluster": context.clusters[0]},
        "head's school": {"la": la, "school": setting.head_school},
    }[spec.get("scope", "")]
    if "school" in scope:
        return services.school_plan_for(scope["school"], results_year=setting.current), scope
    start, end = (_year(setting, year) for year in spec["years"])
    plan = make_plan(
        la,
        spec["title"].format(**_names(scope)),
        level=spec["level"],
        start_year=start,
        end_year=end,
        owner=getattr(setting, spec["owner"]) if "owner" in spec else None,
        owner_name=spec.get("owner_name", ""),
        summary=spec.get("summary", ""),
        **{name: organisation for name, organisation in scope.items() if name != "la"},
    )
    return plan, scope


def _names(scope: dict[str, Any]) -> dict[str, str]:
    return {name: organisation.name for name, organisation in scope.items()}


def _action(setting: Setting, plan: Plan, spec: dict[str, Any]) -> None:
    schools = {"four primaries": setting.primaries[:4], "head's school": [setting.head_school]}
    make_action(
        plan,
        spec["strand"],
        spec["key_action"],
        lead_role=spec.get("lead_role", ""),
        lead_user=getattr(setting, spec["lead_user"]) if "lead_user" in spec else None,
        due=_date(setting, spec.get("due", "")),
        timescale=spec.get("timescale", ""),
        outcome=spec.get("outcome", ""),
        monitored=spec.get("monitored", ""),
        completed=_date(setting, spec.get("completed", "")),
        updates=[(_date(setting, when), rag, note) for when, rag, note in spec.get("updates", [])],
        groups=spec.get("groups", ()),
        intervention=spec.get("intervention", ""),
        funding=spec.get("funding", ""),
        amount=spec.get("amount"),
        schools=schools.get(spec.get("schools", ""), ()),
    )


def _target(setting: Setting, plan: Plan, scope: dict[str, Any], spec: dict[str, Any]) -> None:
    """A target of the plan's scope; one whose value comes from a figure the demo lacks is left out."""
    measure, group = getattr(setting, spec["measure"]), getattr(setting, spec["group"])
    baseline, target_year = (_year(setting, year) for year in spec["years"])
    read = {"gap": gap_of, "value": value_of}.get(spec.get("needs", ""))
    figure = read(list(scope.values())[-1], measure, group, baseline) if read else None  # the narrowest scope
    if read and figure is None:
        return
    value = spec.get("value")
    if "gap_less" in spec:
        value = max(0.0, figure - spec["gap_less"])
    if "gap_share" in spec:
        value = max(0.0, figure * spec["gap_share"])
    if "value_plus" in spec:
        value = figure + spec["value_plus"]
    make_target(
        plan,
        scope,
        spec["type"],
        measure,
        group,
        baseline,
        target_year,
        value,
        title=spec["title"].format(value=value, **_names(scope)),
        milestones=[
            (text, _date(setting, due), _date(setting, done)) for text, due, done in spec.get("milestones", [])
        ],
    )
