"""Plans and actions: RAG update history (the latest dated update is the status), overall progress,
overdue actions, validation, and the pages."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from schools.models import LocalAuthority, Measure, PupilGroup, School
from schools.roles import Role
from strategy import plan_services, services
from strategy.models import Action, ActionUpdate, Plan, Target

from .strategy_support import build_alpha, make_user


@pytest.fixture
def setup(db):
    la, school, measure, dis, other = build_alpha()
    officer = make_user("lao", Role.LA_OFFICER, la)
    plan = Plan.objects.create(
        la=la, level="la_team", title="LA gap plan", start_year=2025, end_year=2026, status="active"
    )
    return dict(la=la, school=school, officer=officer, plan=plan)


def _action(plan, key, strand="narrow", **kw):
    return Action.objects.create(plan=plan, strand=strand, key_action=key, **kw)


def test_latest_update_is_the_status_and_history_is_kept(setup):
    action = _action(setup["plan"], "Wave 2 reading groups")
    assert action.rag == "" and action.get_rag_display() == "No update yet"
    services.record_update(action=action, rag="red", note="Not started", on=date(2025, 9, 20))
    services.record_update(action=action, rag="amber", note="Two schools started", on=date(2025, 10, 20))
    # recorded later but dated earlier: it joins the history without becoming the status
    services.record_update(action=action, rag="amber-red", note="Backfilled note", on=date(2025, 10, 1))
    action = Action.objects.get(pk=action.pk)
    assert action.rag == "amber" and action.get_rag_display() == "Amber"
    assert [u.rag for u in action.updates.all()] == ["amber", "amber-red", "red"]
    services.record_update(action=action, rag="green", note="All running", on=date(2025, 11, 20))
    assert Action.objects.get(pk=action.pk).rag == "green"
    assert ActionUpdate.history.count() == 4  # every update is in the audit trail


def test_update_validation(setup):
    action = _action(setup["plan"], "x")
    with pytest.raises(ValidationError):
        services.record_update(action=action, rag="purple", note="?", on=date(2025, 1, 1))
    with pytest.raises(ValidationError):
        services.record_update(action=action, rag="red", note="  ", on=date(2025, 1, 1))
    with pytest.raises(ValidationError):
        services.record_update(action=action, rag="red", note="future", on=date.today() + timedelta(days=1))
    assert not ActionUpdate.objects.exists()


def test_progress_counts_and_overdue(setup):
    plan, today = setup["plan"], date.today()
    done = _action(plan, "done", completed_on=today - timedelta(days=3), due_date=today - timedelta(days=10))
    late = _action(plan, "late", due_date=today - timedelta(days=1))
    _action(plan, "later", due_date=today + timedelta(days=30))
    services.record_update(action=done, rag="green", note="ok", on=today)
    services.record_update(action=late, rag="red", note="stuck", on=today)
    progress = plan.progress()
    # 3 actions: 1 completed (33%), 1 overdue (the completed one is not overdue), 1 green, 1 red, 1 no update
    assert (progress["total"], progress["completed"], progress["percent_complete"], progress["overdue"]) == (
        3,
        1,
        33,
        1,
    )
    assert (progress["green"], progress["red"], progress["no_update"]) == (1, 1, 1)
    assert late.is_overdue(today) and not done.is_overdue(today)


def test_plan_level_needs_its_organisation(setup):
    plan = Plan(la=setup["la"], level="school", title="No school", start_year=2025, end_year=2024)
    with pytest.raises(ValidationError) as error:
        plan.full_clean()
    assert "school" in error.value.message_dict and "end_year" in error.value.message_dict


def test_plans_and_targets_name_only_places_in_their_own_la(setup):
    """A plan or a target about a school of another LA is refused, and its scope is the narrowest place named."""
    other_la = LocalAuthority.objects.create(code="902", name="Elsewhere")
    elsewhere = School.objects.create(urn=902001, la=other_la, name="Elsewhere Primary", phase="primary")
    plan = Plan(la=setup["la"], level="school", school=elsewhere, title="Wrong LA", start_year=2025, end_year=2026)
    with pytest.raises(ValidationError) as error:
        plan.full_clean()
    assert error.value.message_dict["school"] == ["That school is in another local authority."]
    target = Target(
        la=setup["la"],
        school=elsewhere,
        type="reach",
        measure=Measure.objects.get(code="ks2_rwm_exp"),
        focus_group=PupilGroup.objects.get(code="disadvantaged"),
        baseline_year=2024,
        target_year=2026,
        target_value=60,
    )
    with pytest.raises(ValidationError) as error:
        target.full_clean()
    assert error.value.message_dict["school"] == ["That school is in another local authority."]
    target.school = setup["school"]
    target.full_clean()
    assert target.scope == setup["school"] and target.scope_level == "school"
    assert setup["plan"].scope == setup["la"]


def test_plan_page_shows_strands_progress_overdue_and_targets(setup, client):
    plan = setup["plan"]
    late = _action(plan, "Governors' briefing", strand="narrow", due_date=date.today() - timedelta(days=5))
    _action(plan, "Celebrate in the newsletter", strand="celebrate")
    services.record_update(action=late, rag="red", note="Postponed", on=date.today())
    client.force_login(setup["officer"])
    body = client.get(plan.get_absolute_url()).content.decode()
    for strand in ("Know the gaps", "Narrow the gaps", "Mind the gaps", "Celebrate gap busting"):
        assert strand in body
    assert "Overdue actions" in body and "Governors&#x27; briefing" in body
    assert "2 actions: 0 completed (0%), 1 overdue" in body
    home = client.get(reverse("strategy:home")).content.decode()
    assert "Overdue or rated Red" in home and "Rated Red" in home and "Overdue" in home


def test_create_plan_action_and_update_through_the_pages(setup, client):
    client.force_login(setup["officer"])
    response = client.post(
        reverse("strategy:plan_create"),
        {
            "title": "Cluster plan",
            "level": "school",
            "school": setup["school"].pk,
            "start_year": 2026,
            "end_year": 2026,
            "status": "active",
            "owner_name": "Heads",
            "summary": "",
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get(title="Cluster plan")
    assert plan.school == setup["school"] and plan.owner == setup["officer"]
    response = client.post(
        reverse("strategy:action_create", args=[plan.pk]),
        {
            "strand": "know",
            "key_action": "Track every disadvantaged pupil",
            "lead_role": "Deputy head",
            "due_date": "2026-03-31",
            "funding_source": "pupil_premium",
            "funding_amount": "1500.00",
            "intervention_type": "data",
        },
    )
    assert response.status_code == 302
    action = plan.actions.get()
    response = client.post(
        reverse("strategy:action_update", args=[action.pk]),
        {"date": date.today().isoformat(), "rag": "amber-green", "note": "Started"},
    )
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).rag == "amber-green"
    # funding amount without a source is refused, and nothing is saved
    response = client.post(
        reverse("strategy:action_create", args=[plan.pk]),
        {"strand": "know", "key_action": "Unfunded?", "funding_amount": "10"},
    )
    assert response.status_code == 200 and "Say where the funding comes from." in response.content.decode()
    assert plan.actions.count() == 1


def test_home_in_a_fixed_number_of_queries(setup, client, django_assert_max_num_queries):
    client.force_login(setup["officer"])
    plan = setup["plan"]
    for i in range(3):
        services.record_update(action=_action(plan, f"a{i}"), rag="amber", note="n", on=date.today())
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("strategy:home"))
    for i in range(3, 15):
        services.record_update(action=_action(plan, f"a{i}"), rag="amber", note="n", on=date.today())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("strategy:home"))


def test_edits_through_the_pages_name_the_user_in_the_history(setup, client):
    """Plan, action and target edits go through ``strategy.plan_services``: the change is saved, the action's
    target schools (many-to-many) are set, and the row's history names who made each change."""
    officer, plan, school = setup["officer"], setup["plan"], setup["school"]
    action = _action(plan, "Tutoring")
    client.force_login(officer)
    plan_fields = {"title": "LA gap plan 2025-27", "level": "la_team", "start_year": 2025, "end_year": 2027}
    response = client.post(reverse("strategy:plan_edit", args=[plan.pk]), {**plan_fields, "status": "active"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.end_year) == ("LA gap plan 2025-27", 2027)
    assert plan.history.first().history_user == officer
    response = client.post(
        reverse("strategy:action_edit", args=[action.pk]),
        {"strand": "narrow", "key_action": "Tutoring for Year 6", "schools": [school.pk]},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.key_action == "Tutoring for Year 6" and list(action.schools.all()) == [school]
    assert action.history.first().history_user == officer


def test_plan_services_name_the_user_without_a_request(setup):
    """From the command line or the demo there is no request: the service still names the user."""
    plan = plan_services.create_plan(
        la=setup["la"],
        owner=setup["officer"],
        data={"title": "Cluster plan", "level": "la_team", "start_year": 2025, "end_year": 2025, "status": "draft"},
    )
    assert plan.owner == setup["officer"] and plan.history.get().history_user == setup["officer"]
    with pytest.raises(ValidationError):
        plan_services.save_changes(row=plan, data={"end_year": 2024}, by=setup["officer"])
    plan.refresh_from_db()
    assert plan.end_year == 2025
