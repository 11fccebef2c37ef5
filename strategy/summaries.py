"""What is due, for the landing pages' summaries (the figures' side is ``schools.summaries``): a school's open
and overdue plan actions and its next visit; an adviser's visits due; targets on and off track for a scope.
Scoped to the user by ``strategy.selectors`` like every other read of plans, visits and targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schools.access import sees_small_cohorts

from . import access, selectors
from .models import Plan
from .targets import evaluate

SHOWN_ACTIONS = 5
SHOWN_TARGETS = 5


def school_due(user, school, today: date | None = None) -> dict:
    """The school's open actions (overdue first, then by due date; at most ``SHOWN_ACTIONS`` listed), counts,
    and the visits: the latest report, the next visit it set, and reports awaiting the head's acknowledgement."""
    today = today or date.today()
    plans = selectors.visible_plans(user).filter(school=school).exclude(status=Plan.Status.CLOSED)
    actions = list(
        selectors.visible_actions(user).filter(plan__in=plans, completed_on__isnull=True).order_by("due_date", "pk")
    )
    overdue = [a for a in actions if a.is_overdue(today)]
    listed = (overdue + [a for a in actions if not a.is_overdue(today)])[:SHOWN_ACTIONS]
    visits = list(selectors.visible_visits(user).filter(school=school)[:20])
    latest = visits[0] if visits else None
    next_visit = latest.next_visit_date if latest else None
    return {
        "school": school,
        "plans": list(plans.order_by("-start_year", "title")),
        "open_count": len(actions),
        "overdue_count": len(overdue),
        "actions": listed,
        "today": today,
        "latest_visit": latest,
        "next_visit": next_visit,
        "next_visit_overdue": bool(next_visit and next_visit < today),
        "awaiting": [v for v in visits if v.acknowledged_at is None],
        "can_record_visit": access.can_record_visit(user, school),
    }


@dataclass
class VisitDue:
    school: object
    latest: object  # the latest visit report, or None
    next_visit: date | None

    def state(self, today: date) -> str:
        if self.latest is None:
            return "No visit recorded"
        if self.next_visit is None:
            return "Next visit not set"
        return "Overdue" if self.next_visit < today else "Due"


def visits_due(user, schools, today: date | None = None) -> list[VisitDue]:
    """Each school's latest visit and the next visit it set: overdue first, then the soonest, then schools never
    visited or with no next visit set. One query for the visits."""
    today = today or date.today()
    latest: dict[int, object] = {}
    for visit in selectors.visible_visits(user).filter(school__in=schools).order_by("-visit_date", "-pk"):
        latest.setdefault(visit.school_id, visit)
    due = [VisitDue(s, latest.get(s.pk), getattr(latest.get(s.pk), "next_visit_date", None)) for s in schools]
    return sorted(due, key=lambda d: (d.next_visit is None, d.next_visit or today, d.school.name))


def targets_summary(user, scope) -> dict:
    """Targets set for a scope (and below it, for an LA: every target the user may see in it) by status, the
    off-track ones listed first."""
    from schools.models import LocalAuthority

    if not selectors.any_targets_in(scope):
        targets = []
    elif isinstance(scope, LocalAuthority):
        targets = list(selectors.visible_targets(user).filter(la=scope))
    else:
        targets = list(selectors.targets_for_scope(user, scope))
    statuses = evaluate(targets, show_small_cohorts=sees_small_cohorts(user))
    pairs = [(t, statuses[t.pk]) for t in targets]
    counts: dict[str, int] = {}
    for _t, status in pairs:
        counts[status.label] = counts.get(status.label, 0) + 1
    off = [(t, s) for t, s in pairs if s.code == "off_track"]
    return {"scope": scope, "total": len(pairs), "counts": sorted(counts.items()), "off_track": off[:SHOWN_TARGETS]}
