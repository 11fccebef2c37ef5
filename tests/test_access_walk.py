"""The URL-walking access test: every URL pattern, every role, the answer the rules table expects.

Patterns are discovered from the URLconf, so a view added without a rule in ``tests/access_rules.py``
fails ``test_every_pattern_has_a_rule``; ``test_an_unlisted_view_fails_the_walk`` proves it with a URLconf
that adds one extra view. The demo LA is built once for the module (inside a transaction rolled back at
the end), and each case signs in as anonymous, LA officer, adviser, headteacher, data manager and
administrator and national officer in turn.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from tests.access_rules import (
    ADMIN_LOGIN,
    ANONYMOUS,
    LOGIN,
    RULES,
    Redirect,
    assert_every_pattern_ruled,
    discover,
    stale,
    unruled,
)

CASES = [(name, index) for name, cases in RULES.items() for index in range(len(cases))]


@dataclass
class WalkData:
    """Objects of the demo LA that the rules point at, found by natural keys (pks differ between databases)."""

    users: dict
    head_school: object
    adviser_school: object
    other_school: object
    area: object
    cluster: object
    la_plan: object
    head_plan: object
    adviser_plan: object
    la_action: object
    head_action: object
    adviser_action: object
    la_target: object
    head_target: object
    head_visit: object
    adviser_visit: object
    story: object
    engagement: object
    round: object
    judgement: object
    overall: object
    evidence: object
    evidence_with_file: object
    workstream: object
    strategic_target: object
    batch: object
    foreign_school: object


def _build() -> WalkData:
    from django.contrib.auth.models import User

    from ragboard import services as rag_services
    from ragboard.models import EvidenceItem, Judgement, OverallRating, Round, StrategicTarget, Workstream
    from schools.models import ImportBatch, LocalAuthority, School
    from strategy.models import Plan, SuccessStory, SupportEngagement, Target, VisitReport

    call_command("generate_demo_data", schools=12, years=5, seed=3, stdout=io.StringIO())
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["officer", "adviser", "head", "data", "admin", "national"])
    }
    head_school = users["head"].profile.school
    adviser_schools = set(users["adviser"].profile.schools.values_list("pk", flat=True))
    # The rules assume the head's school is not one of the adviser's, and that some school is neither's.
    assert head_school.pk not in adviser_schools
    adviser_school = (
        School.objects.filter(pk__in=adviser_schools, plans__isnull=False, visit_reports__isnull=False)
        .order_by("urn")
        .first()
    )
    other_school = School.objects.exclude(pk__in=adviser_schools | {head_school.pk}).order_by("urn").first()
    la_plan = Plan.objects.get(level=Plan.Level.LA_TEAM)
    head_plan = Plan.objects.filter(school=head_school).first()
    adviser_plan = Plan.objects.filter(school=adviser_school).first()
    officer = users["officer"]
    evidence_with_file = rag_services.add_evidence(
        la=head_school.la,
        user=officer,
        kind=EvidenceItem.Kind.DATA,
        title="Walk upload",
        date=date(2025, 1, 1),
        summary="A file for the access walk.",
        file=SimpleUploadedFile("pupil-names.csv", b"a,b\n1,2\n"),
    )
    return WalkData(
        users=users,
        head_school=head_school,
        adviser_school=adviser_school,
        other_school=other_school,
        area=head_school.area,
        cluster=adviser_school.cluster,
        la_plan=la_plan,
        head_plan=head_plan,
        adviser_plan=adviser_plan,
        la_action=la_plan.actions.first(),
        head_action=head_plan.actions.first(),
        adviser_action=adviser_plan.actions.first(),
        la_target=Target.objects.filter(plan=la_plan).first(),
        head_target=Target.objects.filter(plan=head_plan).first(),
        head_visit=VisitReport.objects.filter(school=head_school).first(),
        adviser_visit=VisitReport.objects.filter(school=adviser_school).first(),
        story=SuccessStory.objects.filter(school__pk__in=adviser_schools).first(),
        engagement=SupportEngagement.objects.filter(partner_school=head_school).first(),
        round=Round.objects.order_by("-as_of").first(),
        judgement=Judgement.objects.filter(not_applicable=False).order_by("pk").first(),
        overall=OverallRating.objects.order_by("pk").first(),
        evidence=EvidenceItem.objects.filter(file="").order_by("pk").first(),
        evidence_with_file=evidence_with_file,
        workstream=Workstream.objects.order_by("pk").first(),
        strategic_target=StrategicTarget.objects.order_by("pk").first(),
        batch=ImportBatch.objects.order_by("pk").first(),
        # A school of another LA: LA officers and data managers are scoped to their own LA.
        foreign_school=School.objects.create(
            urn=990001,
            name="Elsewhere Primary",
            phase="primary",
            la=LocalAuthority.objects.create(code="990", name="Elsewhere"),
        ),
    )


@pytest.fixture(scope="module")
def walk(django_db_setup, django_db_blocker):
    """The demo LA, built once for this module and rolled back afterwards."""
    with django_db_blocker.unblock(), tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            data = _build()
            missing = [name for name, value in vars(data).items() if value is None]
            assert not missing, f"demo data lacks {missing}"
            yield data
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _client(walk: WalkData, role: str) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(walk.users[role])
    return client


def _matches(response, expected, walk) -> bool:
    location = response.get("Location", "")
    if expected == LOGIN:
        return response.status_code == 302 and location.startswith("/accounts/login/")
    if expected == ADMIN_LOGIN:
        return response.status_code == 302 and location.startswith("/admin/login/")
    if isinstance(expected, Redirect):
        target = expected.to(walk) if callable(expected.to) else expected.to
        return response.status_code == 302 and (location == target if target == "/" else location.startswith(target))
    return response.status_code == expected


def _url(name, case, walk) -> str:
    kwargs = case.kwargs(walk) if case.kwargs else {}
    url = "/admin/" if name == "admin:index" else reverse(name, kwargs=kwargs)
    query = case.query(walk) if callable(case.query) else case.query
    return f"{url}?{query}" if query else url


def test_every_pattern_has_a_rule():
    assert_every_pattern_ruled()


@pytest.mark.parametrize("name,index", CASES, ids=[f"{n}[{i}]" for n, i in CASES])
def test_walk(walk, db, name, index):
    case = RULES[name][index]
    url = _url(name, case, walk)
    wrong = []
    for role in case.roles:
        expected = case.expect.get(role)
        if expected is None:
            continue
        client = _client(walk, role)
        if case.method == "POST":
            response = client.post(url, case.data(walk) if case.data else {})
        else:
            response = client.get(url)
        if not _matches(response, expected, walk):
            got = response.status_code
            if got == 302:
                got = f"302 → {response['Location']}"
            wrong.append(f"{role}: expected {expected}, got {got}")
    assert not wrong, f"{case.method} {url} ({case.label}):\n  " + "\n  ".join(wrong)


def test_walk_covers_head_and_adviser_object_cases():
    """The table asks for another school's page, export, plan, visit report as a head and as an adviser."""
    refused = {
        (name, role)
        for name, cases in RULES.items()
        for case in cases
        for role in ("head", "adviser")
        if case.expect.get(role) == 404
    }
    for name in (
        "schools:school",
        "schools:school_export",
        "strategy:plan",
        "strategy:visit",
        "strategy:action",
        "strategy:target",
    ):
        assert (name, "head") in refused, name
    for name in ("schools:school", "schools:school_export", "strategy:plan", "strategy:visit"):
        assert (name, "adviser") in refused, name


# --------------------------------------------------------------------------- the table notices new views
def test_an_unlisted_view_fails_the_walk():
    endpoints = discover("tests.urls_access_extra")
    assert unruled(endpoints) == [
        "<unnamed unnamed/> (unnamed/)",
        "secret_report (secret/<int:pk>/)",
        "trust_extra:hidden (extra/hidden/)",
    ]
    with pytest.raises(AssertionError, match="secret_report"):
        assert_every_pattern_ruled("tests.urls_access_extra")


def test_an_unnamed_view_fails_the_walk():
    """A pattern without a name cannot be given a rule, so it always fails."""
    endpoints = discover("tests.urls_access_extra")
    assert unruled(endpoints, {**RULES, "secret_report": [], "trust_extra:hidden": []}) == [
        "<unnamed unnamed/> (unnamed/)"
    ]


def test_a_rule_for_a_removed_view_fails():
    endpoints = discover()
    assert stale(endpoints, {**RULES, "schools:gone": []}) == ["schools:gone"]
