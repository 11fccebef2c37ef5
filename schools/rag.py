"""Cluster red/amber/green ratings: rules are data (settings), first match wins."""

from __future__ import annotations

from gapmonitor.conf import conf

from .gaps import Figure, gap
from .trends import TrendClass

# Rules are data: first match wins. ``excess`` is how much wider the cluster's gap vs national is than
# England's own gap (points); ``trends`` limits the rule to those classifications (None: any, incl. no trend).
DEFAULT_CLUSTER_RAG_RULES: list[dict] = [
    {"rating": "red", "min_excess": 5.0, "trends": None},
    {"rating": "red", "min_excess": 0.0, "exclusive_min": True, "trends": [TrendClass.WIDENING]},
    {
        "rating": "green",
        "max_excess": 0.0,
        "trends": [TrendClass.NARROWING_BOTH_IMPROVING, TrendClass.LEAD_GREW, TrendClass.STABLE, None],
    },
    {"rating": "amber", "trends": None},
]
RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "none": "No rating"}
RAG_LETTERS = {"red": "R", "amber": "A", "green": "G", "none": "–"}


def cluster_rag_rules() -> list[dict]:
    """The LA's rules (``GAPMONITOR_CLUSTER_RAG_RULES``) or, when it set none, :data:`DEFAULT_CLUSTER_RAG_RULES`."""
    rules = conf.cluster_rag_rules
    return list(DEFAULT_CLUSTER_RAG_RULES if rules is None else rules)


def rag_rating(excess: float | None, trend_class: str | None, rules: list[dict] | None = None) -> str:
    """Red / amber / green for a cluster cell; "none" when there is no gap to rate."""
    if excess is None:
        return "none"
    for rule in cluster_rag_rules() if rules is None else rules:
        low, high = rule.get("min_excess"), rule.get("max_excess")
        if low is not None and (excess <= low if rule.get("exclusive_min") else excess < low):
            continue
        if high is not None and excess > high:
            continue
        trends = rule.get("trends")
        if trends is not None and trend_class not in trends:
            continue
        return rule["rating"]
    return "none"


def describe_rule(rule: dict) -> str:
    """The legend line for one rule, in words."""
    parts = []
    low, high = rule.get("min_excess"), rule.get("max_excess")
    if low is not None:
        word = "more than" if rule.get("exclusive_min") else "at least"
        parts.append(f"gap vs national is {word} {low:g} points wider than England's gap")
    if high is not None:
        parts.append(
            "gap vs national is no wider than England's gap"
            if high == 0
            else f"gap vs national is at most {high:g} points wider than England's gap"
        )
    trends = rule.get("trends")
    if trends is not None:
        named = [TrendClass.label(t) if t else "no trend yet" for t in trends]
        parts.append("trend is " + " or ".join(n.lower() for n in named))
    condition = " and ".join(parts) if parts else "otherwise"
    return f"{RAG_LABELS.get(rule['rating'], rule['rating'])}: {condition}"


def excess_over_national(
    measure, focus: Figure | None, national_focus: Figure | None, national_comparison: Figure | None
) -> float | None:
    """How much wider the gap vs national (here-focus vs England-comparison) is than England's gap.
    Equal to England-focus − here-focus (sign-adjusted): positive = focus group here behind its peers nationally."""
    vs_national = gap(measure, focus, national_comparison)
    england = gap(measure, national_focus, national_comparison)
    if vs_national is None or england is None:
        return None
    return vs_national - england
