"""Scoping: a headteacher sees only their own school's plans and visit reports; an adviser only their
assigned schools; LA officers everything in the LA. Anything out of scope is a 404."""

import pytest
from django.urls import reverse

from strategy import demo as strategy_demo
from strategy.models import Plan, SuccessStory, SupportEngagement, Target, VisitReport


@pytest.fixture
def world(demo):
    strategy_demo.generate(demo)
    users = demo.users
    return dict(
        demo=demo,
        head_school=users["head"].profile.school,
        assigned=set(users["adviser"].profile.schools.values_list("pk", flat=True)),
    )


def _status(client, url):
    return client.get(url).status_code


def test_demo_content_covers_every_page(world):
    la = world["demo"].la
    assert set(Plan.objects.filter(la=la).values_list("level", flat=True)) == {
        "la_team",
        "area",
        "cluster",
        "school",
        "council",
        "partnership",
    }
    assert set(Target.objects.values_list("type", flat=True)) == {
        "reach",
        "change",
        "close_gap",
        "gap_national",
        "in_line_national",
        "faster",
    }
    assert VisitReport.objects.filter(quality_assurance__meets_all=True).exists()
    assert SuccessStory.objects.filter(published=True).exists() and SupportEngagement.objects.exists()
    strands = set(Plan.objects.get(level="la_team").actions.values_list("strand", flat=True))
    assert strands == {"know", "narrow", "mind", "celebrate"}


def test_demo_is_idempotent(world):
    from strategy.models import Action, ActionUpdate, Milestone, VisitJudgement

    models = (
        Plan,
        Action,
        ActionUpdate,
        Target,
        Milestone,
        VisitReport,
        VisitJudgement,
        SuccessStory,
        SupportEngagement,
    )
    before = [m.objects.count() for m in models]
    strategy_demo.generate(world["demo"])
    assert [m.objects.count() for m in models] == before


def test_head_sees_only_their_own_school(world, role_client):
    head, school = role_client("head"), world["head_school"]
    for plan in Plan.objects.all():
        assert _status(head, plan.get_absolute_url()) == (200 if plan.school_id == school.pk else 404), plan
    for visit in VisitReport.objects.all():
        assert _status(head, visit.get_absolute_url()) == (200 if visit.school_id == school.pk else 404)
    for target in Target.objects.all():
        assert _status(head, target.get_absolute_url()) == (200 if target.school_id == school.pk else 404)
    for story in SuccessStory.objects.all():
        assert _status(head, story.get_absolute_url()) == (200 if story.school_id == school.pk else 404)
    listing = head.get(reverse("strategy:plans")).content.decode()
    assert school.name in listing and "narrowing the gap strategy" not in listing
    visits = head.get(reverse("strategy:visits")).content.decode()
    for visit in VisitReport.objects.exclude(school=school):
        assert visit.school.name not in visits


def test_head_cannot_reach_other_schools_by_guessing(world, role_client):
    head = role_client("head")
    other = next(s for s in world["demo"].schools if s.pk != world["head_school"].pk)
    assert _status(head, reverse("strategy:visit_create", args=[other.urn])) == 404
    assert (
        _status(head, reverse("strategy:story_create") + f"?school={other.urn}&measure=ks2_rwm_exp&group=disadvantaged")
        == 404
    )
    la_plan = Plan.objects.get(level="la_team")
    assert _status(head, reverse("strategy:plan_edit", args=[la_plan.pk])) == 404
    assert head.post(reverse("strategy:action_create", args=[la_plan.pk]), {}).status_code == 404


def test_adviser_sees_and_visits_only_assigned_schools(world, role_client):
    adviser, assigned = role_client("adviser"), world["assigned"]
    assert assigned, "the demo adviser has assigned schools"
    for visit in VisitReport.objects.all():
        assert _status(adviser, visit.get_absolute_url()) == (200 if visit.school_id in assigned else 404)
    for school in world["demo"].schools:
        expected = 200 if school.pk in assigned else 404
        assert _status(adviser, reverse("strategy:visit_create", args=[school.urn])) == expected
    for plan in Plan.objects.filter(school__isnull=False):
        assert _status(adviser, plan.get_absolute_url()) == (200 if plan.school_id in assigned else 404)
    assert _status(adviser, Plan.objects.get(level="la_team").get_absolute_url()) == 404


def test_only_la_officers_quality_assure(world, role_client):
    visit = VisitReport.objects.filter(school_id__in=world["assigned"]).first()
    assert _status(role_client("adviser"), reverse("strategy:visit_quality", args=[visit.pk])) == 403
    assert _status(role_client("officer"), reverse("strategy:visit_quality", args=[visit.pk])) == 200
    assert _status(role_client("head"), reverse("strategy:visit_quality_summary")) == 403
    page = role_client("officer").get(reverse("strategy:visit_quality_summary")).content.decode()
    # the demo assures two reports, one meeting all seven features
    assert "1 of 2" in page


def test_la_officer_sees_everything_and_data_manager_reads_only(world, role_client):
    officer, data = role_client("officer"), role_client("data")
    for plan in Plan.objects.all():
        assert _status(officer, plan.get_absolute_url()) == 200
        assert _status(officer, reverse("strategy:plan_edit", args=[plan.pk])) == 200
        assert _status(data, plan.get_absolute_url()) == 200
        assert _status(data, reverse("strategy:plan_edit", args=[plan.pk])) == 403


def test_anonymous_users_are_sent_to_sign_in(world, client):
    for name in (
        "strategy:home",
        "strategy:plans",
        "strategy:visits",
        "strategy:stories",
        "strategy:targets",
        "strategy:engagements",
        "strategy:story_print",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
