"""The six roles, kept as Django groups. ``roles_of(user)`` is the one way to ask."""

from django.db import models


class Role(models.TextChoices):
    LA_OFFICER = "LA officer", "LA officer"
    ADVISER = "Adviser", "Adviser (SIP)"
    HEADTEACHER = "Headteacher", "Headteacher"
    DATA_MANAGER = "Data manager", "Data manager"
    ADMINISTRATOR = "Administrator", "Administrator"
    # A regional or national service's officer: every LA's LA-level gaps side by side, no school's figures.
    NATIONAL_OFFICER = "National officer", "National officer"


def roles_of(user) -> frozenset[str]:
    """The user's roles (cached on the user object for the request)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_gapmonitor_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            names.add(Role.ADMINISTRATOR)
        cached = frozenset(name for name in names if name in Role.values)
        user._gapmonitor_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


# Roles that see the whole LA (all its schools, unsuppressed small cohorts for some).
LA_WIDE_ROLES = (Role.LA_OFFICER, Role.DATA_MANAGER, Role.ADMINISTRATOR)
# Roles that may see figures for cohorts below the suppression threshold.
UNSUPPRESSED_ROLES = (Role.LA_OFFICER, Role.DATA_MANAGER, Role.ADMINISTRATOR)
# Roles that may import data.
IMPORT_ROLES = (Role.DATA_MANAGER, Role.ADMINISTRATOR)
# Roles that set every LA's figures side by side (the all-LA page).
ALL_LA_ROLES = (Role.NATIONAL_OFFICER,)
# Roles that work inside one LA (its schools, plans, visits): every role but the national officer.
LOCAL_ROLES = tuple(role for role in Role if role not in ALL_LA_ROLES)
