"""Navigation that shows each role what it may use."""

from django.urls import NoReverseMatch, reverse

from schools.roles import ALL_LA_ROLES, IMPORT_ROLES, LA_WIDE_ROLES, LOCAL_ROLES, Role, has_role, roles_of

# (label, url name, roles that see it; None = every signed-in user)
NAV_ITEMS = [
    ("All LAs", "schools:national", ALL_LA_ROLES),
    ("Overview", "schools:la_overview", LA_WIDE_ROLES),
    ("Schools", "schools:school_list", LOCAL_ROLES),
    ("Priority schools", "schools:priority", (Role.LA_OFFICER, Role.ADMINISTRATOR, Role.ADVISER)),
    ("Gap busters", "schools:gap_busters", (Role.LA_OFFICER, Role.ADMINISTRATOR, Role.ADVISER)),
    ("Cluster RAG board", "schools:cluster_rag", (Role.LA_OFFICER, Role.ADMINISTRATOR)),
    ("Plans", "strategy:home", LOCAL_ROLES),
    ("Visits", "strategy:visits", LOCAL_ROLES),
    ("Self-evaluation", "ragboard:home", (Role.LA_OFFICER, Role.ADMINISTRATOR)),
    ("Imports", "schools:imports", IMPORT_ROLES),
    ("Audit log", "audit_log", (Role.ADMINISTRATOR,)),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    items = []
    path = request.path
    for label, name, roles in NAV_ITEMS:
        if roles is not None and not has_role(user, *roles):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "current": path == url or (url != "/" and path.startswith(url))})
    # Only the deepest match is current: /strategy/visits/… is "Visits", not "Plans" as well.
    current = max((item for item in items if item["current"]), key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["current"] = item is current
    if user.is_staff:
        items.append({"label": "Admin", "url": reverse("admin:index"), "current": path.startswith("/admin/")})
    return {"nav_items": items, "user_roles": sorted(roles_of(user))}
