"""Who may open which page: the rules table the URL-walking access test checks.

Every URL pattern the project routes (found by :func:`discover`, so a new view is noticed) needs an entry
in ``RULES``: one or more :class:`Case` (how to build its arguments from the demo LA, and the answer each
role expects). A pattern without a rule fails the suite.

Answers: an HTTP status (200, 403, 404, 405), ``LOGIN`` (302 to /accounts/login/), ``ADMIN_LOGIN`` (302 to
the admin sign-in) or ``Redirect("/path/")`` (302 to a path starting so). Object scoping is 404 — never 403
— so a headteacher or adviser cannot tell that another school's page exists; 403 is used only where a
role may see an object but not change it (e.g. a data manager on a plan's edit page) or, for imports, for
roles that may never import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

ANONYMOUS = "anonymous"
ROLES = ("officer", "adviser", "head", "data", "admin", "national")
EVERYONE = (ANONYMOUS, *ROLES)
LOGIN = "login"
ADMIN_LOGIN = "admin-login"
SKIPPED_NAMESPACES = ("admin",)  # Django's admin: its own permission checks; /admin/ itself is walked


@dataclass(frozen=True)
class Redirect:
    to: str | Callable  # a path prefix, or ctx → path prefix


# --------------------------------------------------------------------------- discovery
@dataclass(frozen=True)
class Endpoint:
    name: str  # "namespace:name"; "<unnamed route>" when the pattern has no name
    route: str


def discover(urlconf=None) -> list[Endpoint]:
    """Every URL pattern in the URLconf, recursively. A skipped namespace (the admin) counts as one endpoint,
    ``admin:index``, so the admin's front door is still walked."""
    found: list[Endpoint] = []

    def walk(patterns, prefix: str, namespace: str | None):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if pattern.namespace in SKIPPED_NAMESPACES:
                    found.append(Endpoint(f"{pattern.namespace}:index", route))
                    continue
                inner = pattern.namespace
                walk(pattern.url_patterns, route, f"{namespace}:{inner}" if namespace and inner else inner or namespace)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                found.append(Endpoint(name or f"<unnamed {route}>", route))

    walk(get_resolver(urlconf).url_patterns, "", None)
    return found


def unruled(endpoints, rules=None) -> list[str]:
    """Endpoints that have no rule (each one fails the suite)."""
    rules = RULES if rules is None else rules
    return sorted({f"{e.name} ({e.route})" for e in endpoints if e.name not in rules})


def stale(endpoints, rules=None) -> list[str]:
    """Rules whose pattern no longer exists (the table must not keep rules for removed views)."""
    rules = RULES if rules is None else rules
    names = {e.name for e in endpoints}
    return sorted(name for name in rules if name not in names)


def assert_every_pattern_ruled(urlconf=None, rules=None):
    endpoints = discover(urlconf)
    missing, old = unruled(endpoints, rules), stale(endpoints, rules)
    assert not missing, "URL patterns with no access rule (add them to tests/access_rules.py):\n  " + "\n  ".join(
        missing
    )
    assert not old, "Access rules for patterns that no longer exist:\n  " + "\n  ".join(old)


# --------------------------------------------------------------------------- expectations
def answers(default, *, anonymous=LOGIN, national=404, **by_role) -> dict:
    """The answer for every role: ``default`` unless named; anonymous users are sent to sign in. The national
    officer works across LAs and sees nothing inside one (no school, plan, visit or LA page): 404 unless named."""
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {ANONYMOUS: anonymous, **{role: by_role.get(role, default) for role in ROLES}, "national": national}


ALL_SIGNED_IN = answers(200)
# Lists of what the user may see: a national officer's are empty (they see nothing inside an LA).
LISTS = answers(200, national=200)
LA_WIDE = answers(404, officer=200, data=200, admin=200)  # LA overview and area pages
IMPORTERS = answers(403, data=200, admin=200, national=403)  # imports: other roles may never import (403)
SELF_EVALUATION = answers(404, officer=200, admin=200)  # ragboard: everyone else gets a 404
POST_ONLY = answers(405, national=405)


@dataclass(frozen=True)
class Case:
    """One request (GET unless ``method``) and the answer each role expects."""

    label: str
    expect: dict
    kwargs: Callable | None = None  # ctx → URL kwargs
    query: str | Callable = ""  # ctx → query string (without "?")
    method: str = "GET"
    data: Callable | None = None  # ctx → POST data
    roles: tuple = field(default=EVERYONE)


EXPORT = {"fmt": "csv"}


def _kw(**builders):
    """kwargs builder: each value is a ctx → value function, or a constant."""
    return lambda ctx: {k: (v(ctx) if callable(v) else v) for k, v in builders.items()}


# Shorthands for objects in the walk's demo data (see tests/test_access_walk.py: WalkData).
HEAD_SCHOOL = _kw(urn=lambda c: c.head_school.urn)
ADVISER_SCHOOL = _kw(urn=lambda c: c.adviser_school.urn)
OTHER_SCHOOL = _kw(urn=lambda c: c.other_school.urn)


def pk(attr):
    return _kw(pk=lambda c: getattr(c, attr).pk)


# Answer sets for strategy's school-owned objects: who sees the head's school's object, and who sees the
# adviser's school's object. LA-wide roles see both; the other school's staff get 404.
HEAD_OWN = answers(200, adviser=404)
ADVISER_OWN = answers(200, head=404)
HEAD_OWN_EDIT = answers(200, adviser=404, data=403)  # data managers see plans but do not edit them
ADVISER_OWN_EDIT = answers(200, head=404, data=403)
LA_LEVEL = answers(200, adviser=404, head=404)  # LA-level plans/targets: LA-wide roles only


RULES: dict[str, list[Case]] = {
    # ------------------------------------------------------------------ project
    "home": [
        Case(
            "sends each role to its dashboard",
            answers(
                200,
                officer=Redirect("/overview/"),
                data=Redirect("/imports/"),
                admin=Redirect("/overview/"),
                adviser=Redirect("/schools/"),
                head=Redirect(lambda c: f"/schools/{c.head_school.urn}/"),
                national=Redirect("/national/"),
            ),
        )
    ],
    "login": [
        Case("sign-in page; signed-in users go home", answers(Redirect("/"), anonymous=200, national=Redirect("/")))
    ],
    "logout": [
        Case("GET is refused (sign out is a POST)", answers(405, anonymous=405, national=405)),
        Case(
            "POST signs out",
            answers(
                Redirect("/accounts/login/"),
                anonymous=Redirect("/accounts/login/"),
                national=Redirect("/accounts/login/"),
            ),
            method="POST",
        ),
    ],
    "password_reset": [Case("ask for a reset link: anyone", answers(200, anonymous=200, national=200))],
    "password_reset_done": [Case("link sent: anyone", answers(200, anonymous=200, national=200))],
    "password_reset_confirm": [
        Case(
            "a made-up link says it no longer works",
            answers(200, anonymous=200, national=200),
            _kw(uidb64="MQ", token="made-up-token"),
        )
    ],
    "password_reset_complete": [Case("password changed: anyone", answers(200, anonymous=200, national=200))],
    "audit_log": [Case("site-wide audit log: administrators only", answers(404, admin=200))],
    "admin:index": [
        Case("Django admin: staff only", answers(ADMIN_LOGIN, anonymous=ADMIN_LOGIN, admin=200, national=ADMIN_LOGIN))
    ],
    # ------------------------------------------------------------------ gap dashboards
    "schools:la_overview": [Case("LA overview", LA_WIDE)],
    "schools:la_overview_export": [
        Case("LA overview export", LA_WIDE, _kw(table="headline", **EXPORT)),
        Case("LA overview XLSX", LA_WIDE, _kw(table="areas", fmt="xlsx")),
        Case("no such table", answers(404), _kw(table="nonsense", **EXPORT)),
    ],
    "schools:la_overview_detail": [Case("LA overview in detail", LA_WIDE)],
    "schools:area": [Case("an area", LA_WIDE, pk("area"))],
    "schools:area_export": [Case("an area's export", LA_WIDE, _kw(pk=lambda c: c.area.pk, table="schools", **EXPORT))],
    "schools:cluster": [Case("the adviser's schools' cluster (adviser has no cluster role)", LA_WIDE, pk("cluster"))],
    "schools:cluster_export": [
        Case("a cluster's export", LA_WIDE, _kw(pk=lambda c: c.cluster.pk, table="schools", **EXPORT))
    ],
    "schools:school_list": [Case("schools the user may see", LISTS)],
    "schools:school": [
        Case("the head's own school", HEAD_OWN, HEAD_SCHOOL),
        Case("an adviser's assigned school", ADVISER_OWN, ADVISER_SCHOOL),
        Case("a school neither head nor adviser has", answers(200, adviser=404, head=404), OTHER_SCHOOL),
        Case("a URN that does not exist", answers(404), _kw(urn=999999)),
        Case("a school of another LA", answers(404, admin=200), _kw(urn=lambda c: c.foreign_school.urn)),
    ],
    "schools:school_groups": [
        Case("the head's own school, one group", HEAD_OWN, HEAD_SCHOOL, query="group=fsm"),
        Case("an adviser's assigned school, one group", ADVISER_OWN, ADVISER_SCHOOL),
        Case("a school neither head nor adviser has", answers(200, adviser=404, head=404), OTHER_SCHOOL),
    ],
    "schools:school_measure": [
        Case("the head's own school, one measure", HEAD_OWN, _kw(urn=lambda c: c.head_school.urn, code="ks2_rwm_exp")),
        Case(
            "another school's measure",
            answers(200, adviser=404, head=404),
            _kw(urn=lambda c: c.other_school.urn, code="ks2_rwm_exp"),
        ),
        Case("no such measure", answers(404), _kw(urn=lambda c: c.head_school.urn, code="no_such_measure")),
    ],
    "schools:school_export": [
        Case(
            "the head's own school's export", HEAD_OWN, _kw(urn=lambda c: c.head_school.urn, table="headline", **EXPORT)
        ),
        Case(
            "another school's export",
            answers(200, adviser=404, head=404),
            _kw(urn=lambda c: c.other_school.urn, table="headline", **EXPORT),
        ),
        Case(
            "an adviser's school's XLSX",
            ADVISER_OWN,
            _kw(urn=lambda c: c.adviser_school.urn, table="headline", fmt="xlsx"),
        ),
        Case(
            "a school of another LA",
            answers(404, admin=200),
            _kw(urn=lambda c: c.foreign_school.urn, table="headline", **EXPORT),
        ),
    ],
    # Priority, gap busters and cluster RAG list only the schools/clusters the user may see (scoped).
    "schools:priority": [Case("priority schools", ALL_SIGNED_IN)],
    "schools:priority_export": [Case("priority export", ALL_SIGNED_IN, _kw(table="priority", **EXPORT))],
    "schools:gap_busters": [Case("gap busters", ALL_SIGNED_IN)],
    "schools:gap_busters_export": [Case("gap busters export", ALL_SIGNED_IN, _kw(table="busters", **EXPORT))],
    "schools:cluster_rag": [Case("cluster RAG board", ALL_SIGNED_IN)],
    "schools:cluster_rag_export": [Case("cluster RAG export", ALL_SIGNED_IN, _kw(table="rag", **EXPORT))],
    # Every LA's gaps side by side: national officers only; everyone else 404 (no hint the page exists).
    "schools:national": [Case("every LA's gaps", answers(404, national=200))],
    "schools:national_export": [
        Case("every LA's gaps as CSV", answers(404, national=200), _kw(table="gaps", **EXPORT)),
        Case("every headline measure as XLSX", answers(404, national=200), _kw(table="every-measure", fmt="xlsx")),
        Case("no such table", answers(404), _kw(table="nonsense", **EXPORT)),
    ],
    # ------------------------------------------------------------------ imports
    "schools:imports": [Case("upload page and batch list", IMPORTERS)],
    "schools:import_batch": [Case("a batch", IMPORTERS, pk("batch"))],
    # The progress feed answers the uploader only; the walk's batch is the demo's load, nobody's upload.
    "schools:import_status": [Case("another user's batch progress", answers(404), pk("batch"))],
    "schools:import_confirm": [Case("POST only", answers(403, data=405, admin=405, national=403), pk("batch"))],
    "schools:import_cancel": [Case("POST only", answers(403, data=405, admin=405, national=403), pk("batch"))],
    "schools:import_rollback": [
        Case("POST only", answers(403, data=405, admin=405, national=403), pk("batch")),
        Case(
            "POST by a non-importer changes nothing",
            answers(403, anonymous=LOGIN, data=None, admin=None, national=403),
            pk("batch"),
            method="POST",
        ),
    ],
    "schools:import_problems": [Case("a batch's problem list", IMPORTERS, pk("batch"))],
    "schools:import_template": [
        Case("the long-format template", IMPORTERS, _kw(name="long")),
        Case("no such template", answers(403, data=404, admin=404, national=403), _kw(name="nonsense")),
    ],
    # ------------------------------------------------------------------ strategy
    "strategy:home": [Case("plans and actions the user may see", LISTS)],
    "strategy:plans": [Case("plan list", LISTS)],
    "strategy:plan_create": [Case("new plan form", answers(200, data=403, national=403))],
    "strategy:plan": [
        Case("the LA team's plan", LA_LEVEL, pk("la_plan")),
        Case("the head's school's plan", HEAD_OWN, pk("head_plan")),
        Case("an adviser's school's plan", ADVISER_OWN, pk("adviser_plan")),
    ],
    "strategy:plan_edit": [
        Case("the head's school's plan", HEAD_OWN_EDIT, pk("head_plan")),
        Case("an adviser's school's plan", ADVISER_OWN_EDIT, pk("adviser_plan")),
        Case("the LA team's plan", answers(200, adviser=404, head=404, data=403), pk("la_plan")),
    ],
    "strategy:action_create": [
        Case("on the head's school's plan", HEAD_OWN_EDIT, pk("head_plan")),
        Case("on an adviser's school's plan", ADVISER_OWN_EDIT, pk("adviser_plan")),
    ],
    "strategy:target_create": [
        Case("on the head's school's plan", HEAD_OWN_EDIT, pk("head_plan")),
        Case("on an adviser's school's plan", ADVISER_OWN_EDIT, pk("adviser_plan")),
    ],
    "strategy:action": [
        Case("an action on the head's school's plan", HEAD_OWN, pk("head_action")),
        Case("an action on an adviser's school's plan", ADVISER_OWN, pk("adviser_action")),
        Case("an action on the LA team's plan", LA_LEVEL, pk("la_action")),
    ],
    "strategy:action_edit": [
        Case("an action on the head's school's plan", HEAD_OWN_EDIT, pk("head_action")),
        Case("an action on an adviser's school's plan", ADVISER_OWN_EDIT, pk("adviser_action")),
    ],
    "strategy:action_update": [
        Case("GET refused (POST only)", POST_ONLY, pk("head_action")),
        Case(
            "POST to another school's action",
            answers(None, anonymous=LOGIN, head=404),
            pk("adviser_action"),
            method="POST",
            data=lambda c: {"rag": "green", "note": "x", "date": "2025-01-01"},
        ),
        Case(
            "POST by an adviser to the head's school's action",
            answers(None, anonymous=LOGIN, adviser=404),
            pk("head_action"),
            method="POST",
            data=lambda c: {"rag": "green", "note": "x", "date": "2025-01-01"},
        ),
    ],
    "strategy:targets": [Case("target list", LISTS)],
    "strategy:target": [
        Case("a target on the head's school's plan", HEAD_OWN, pk("head_target")),
        Case("a target on the LA team's plan", LA_LEVEL, pk("la_target")),
    ],
    "strategy:target_edit": [
        Case("a target on the head's school's plan", HEAD_OWN_EDIT, pk("head_target")),
        Case("a target on the LA team's plan", answers(200, adviser=404, head=404, data=403), pk("la_target")),
    ],
    "strategy:milestone_create": [
        Case("GET refused (POST only)", POST_ONLY, pk("head_target")),
        Case(
            "POST by a head to the LA's target",
            answers(None, anonymous=LOGIN, head=404, adviser=404),
            pk("la_target"),
            method="POST",
            data=lambda c: {"description": "x", "due_date": "2025-01-01"},
        ),
    ],
    "strategy:visits": [Case("visit reports the user may see", LISTS)],
    "strategy:visit_quality_summary": [Case("LA quality summary", answers(200, adviser=403, head=403, national=403))],
    "strategy:visit_start": [
        Case("no school chosen", answers(404)),
        Case(
            "choose the head's school",
            answers(Redirect(lambda c: f"/strategy/visits/new/{c.head_school.urn}/"), adviser=404),
            query=lambda c: f"urn={c.head_school.urn}",
        ),
    ],
    "strategy:visit_create": [
        Case("at the head's school", answers(200, adviser=404, head=403, data=403), HEAD_SCHOOL),
        Case("at an adviser's school", answers(200, head=404, data=403), ADVISER_SCHOOL),
        Case("at a school neither may see", answers(200, head=404, adviser=404, data=403), OTHER_SCHOOL),
    ],
    "strategy:visit": [
        Case("a visit report on the head's school", HEAD_OWN, pk("head_visit")),
        Case("a visit report on an adviser's school", ADVISER_OWN, pk("adviser_visit")),
    ],
    "strategy:visit_print": [
        Case("the print view of the head's school's report", HEAD_OWN, pk("head_visit")),
        Case("the print view of an adviser's school's report", ADVISER_OWN, pk("adviser_visit")),
    ],
    "strategy:visit_edit": [
        # Only the report's own adviser, until the head acknowledges it; scoped like the report (404).
        Case(
            "edit the head's school's report (the officer's)", answers(403, officer=200, adviser=404), pk("head_visit")
        ),
        Case("edit an adviser's own report", answers(403, adviser=200, head=404), pk("adviser_visit")),
    ],
    "strategy:visit_acknowledge": [
        Case("GET refused (POST only)", POST_ONLY, pk("head_visit")),
        Case(
            "POST by a head to another school's report",
            answers(None, anonymous=LOGIN, head=404),
            pk("adviser_visit"),
            method="POST",
            data=lambda c: {"comment": "x"},
        ),
    ],
    "strategy:visit_quality": [
        Case("QA of the head's school's report", answers(200, adviser=404, head=403, data=403), pk("head_visit")),
        Case("QA of an adviser's school's report", answers(200, head=404, adviser=403, data=403), pk("adviser_visit")),
    ],
    "strategy:stories": [Case("success stories", LISTS)],
    "strategy:story_create": [
        Case("new story form", answers(200, data=403, national=403)),
        Case(
            "prefilled from the head's school",
            answers(200, adviser=404, data=403, national=403),
            query=lambda c: f"school={c.head_school.urn}&measure=ks2_rwm_exp&group=disadvantaged",
        ),
        Case("a school that is not a number", answers(404, data=403, national=403), query="school=abc"),
    ],
    "strategy:story_print": [Case("published stories", LISTS)],
    "strategy:story": [Case("a story at an adviser's school", ADVISER_OWN, pk("story"))],
    "strategy:story_edit": [Case("a story at an adviser's school", ADVISER_OWN_EDIT, pk("story"))],
    "strategy:engagements": [Case("support engagements", LISTS)],
    "strategy:engagement_create": [Case("new engagement", answers(403, officer=200, admin=200, national=403))],
    "strategy:engagement": [Case("support for the head's school", HEAD_OWN, pk("engagement"))],
    "strategy:engagement_edit": [
        Case("support for the head's school", answers(200, adviser=404, head=403, data=403), pk("engagement"))
    ],
    "strategy:objective_create": [
        Case("support for the head's school", answers(200, adviser=404, head=403, data=403), pk("engagement"))
    ],
    # ------------------------------------------------------------------ documents (PDF / Word)
    "reports:briefing": [
        Case("the LA's members' briefing", LA_WIDE, _kw(fmt="docx")),
        Case("a format that does not exist", answers(404), _kw(fmt="odt")),
    ],
    "reports:profile": [
        Case("the head's own school's profile", HEAD_OWN, _kw(urn=lambda c: c.head_school.urn, fmt="docx")),
        Case(
            "a school neither head nor adviser has",
            answers(200, adviser=404, head=404),
            _kw(urn=lambda c: c.other_school.urn, fmt="pdf"),
        ),
    ],
    "reports:visit_report": [
        Case("a visit report on the head's school", HEAD_OWN, _kw(pk=lambda c: c.head_visit.pk, fmt="pdf")),
        Case("a visit report on an adviser's school", ADVISER_OWN, _kw(pk=lambda c: c.adviser_visit.pk, fmt="docx")),
    ],
    # ------------------------------------------------------------------ BI feed: a token, never a session (401)
    "feed:la-figures-list": [Case("LA figures", answers(401, anonymous=401, national=401))],
    "feed:area-figures-list": [Case("area figures", answers(401, anonymous=401, national=401))],
    "feed:cluster-figures-list": [Case("cluster figures", answers(401, anonymous=401, national=401))],
    "feed:school-figures-list": [Case("school figures", answers(401, anonymous=401, national=401))],
    # ------------------------------------------------------------------ ragboard (LA self-evaluation)
    "ragboard:home": [Case("self-evaluation grid", SELF_EVALUATION)],
    "ragboard:round_new": [Case("GET refused (POST only)", POST_ONLY)],
    "ragboard:round": [Case("a round", SELF_EVALUATION, pk("round"))],
    "ragboard:judgement": [Case("a judgement", SELF_EVALUATION, pk("judgement"))],
    "ragboard:overall": [Case("an overall rating", SELF_EVALUATION, pk("overall"))],
    "ragboard:compare": [
        Case("compare rounds", SELF_EVALUATION),
        Case("rounds that are not numbers", answers(404), query="earlier=abc&later=x"),
    ],
    "ragboard:evidence": [Case("evidence list", SELF_EVALUATION)],
    "ragboard:evidence_new": [
        Case("add evidence", SELF_EVALUATION),
        Case("for a judgement", SELF_EVALUATION, query=lambda c: f"judgement={c.judgement.pk}"),
        Case("for a judgement that is not a number", answers(404), query="judgement=abc"),
    ],
    "ragboard:evidence_detail": [
        Case("an evidence item", SELF_EVALUATION, pk("evidence")),
        Case(
            "unlink a judgement that is not a number",
            answers(404),
            pk("evidence"),
            method="POST",
            data=lambda c: {"action": "unlink", "judgement": "abc"},
        ),
    ],
    "ragboard:evidence_file": [
        Case("an uploaded file", SELF_EVALUATION, pk("evidence_with_file")),
        Case("evidence without a file", answers(404), pk("evidence")),
    ],
    "ragboard:plan_board": [Case("strategic plan board", SELF_EVALUATION)],
    "ragboard:workstream_new": [Case("new workstream", SELF_EVALUATION)],
    "ragboard:workstream_edit": [Case("a workstream", SELF_EVALUATION, pk("workstream"))],
    "ragboard:target_new": [Case("new strategic target", SELF_EVALUATION)],
    "ragboard:target_edit": [Case("a strategic target", SELF_EVALUATION, pk("strategic_target"))],
    "ragboard:framework": [Case("the quality-standards framework", SELF_EVALUATION)],
}
