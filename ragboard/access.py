"""Who may use the self-evaluation and who reviews it.

The self-evaluation is for LA officers and administrators: everyone else gets a 404, with no hint that it
exists. A round's external grade is given by its reviewer (or an administrator), who may also override the
grading rules. LA scoping itself (which LAs a user sees) is ``schools``' job.
"""

from __future__ import annotations

from django.http import Http404

from schools.access import default_la
from schools.roles import Role, has_role

SELF_EVALUATION_ROLES = (Role.LA_OFFICER, Role.ADMINISTRATOR)


def can_use(user) -> bool:
    return has_role(user, *SELF_EVALUATION_ROLES)


def can_review(user, round_) -> bool:
    """Reviewers give the external grade and may override the rules: administrators, or the round's reviewer."""
    return can_use(user) and (has_role(user, Role.ADMINISTRATOR) or round_.reviewer_id == user.pk)


def require(user) -> None:
    """A 404 for anyone who may not use the self-evaluation."""
    if not can_use(user):
        raise Http404("Not found.")


def working_la(user):
    """The LA whose self-evaluation the user works on (after checking they may use it at all)."""
    require(user)
    return default_la(user)
