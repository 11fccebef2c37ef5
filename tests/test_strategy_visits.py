"""Visit reports: the gap snapshot survives later imports, agreed actions land on the school's plan,
acknowledgement by the head, quality assurance against the seven features."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from schools.models import Result
from schools.roles import Role
from strategy import services
from strategy.models import Action, Plan, Strand, VisitReport
from strategy.selectors import visit_reports_meeting_all_features

from .strategy_support import build_alpha, make_user

VISIT_DAY = date(2024, 11, 1)  # autumn 2024: the latest results are 2024's


@pytest.fixture
def alpha(db):
    la, school, measure, dis, other = build_alpha()
    adviser = make_user("sip", Role.ADVISER, la, schools=[school])
    head = make_user("alphahead", Role.HEADTEACHER, la, school=school)
    officer = make_user("lao", Role.LA_OFFICER, la)
    return dict(
        la=la, school=school, measure=measure, dis=dis, other=other, adviser=adviser, head=head, officer=officer
    )


def _record(alpha, **extra):
    return services.record_visit(
        adviser=alpha["adviser"],
        school=alpha["school"],
        visit_date=VISIT_DAY,
        visit_type="termly",
        purpose="Review the disadvantaged gap",
        judgements=[("Knowing the gaps", "green", "")],
        agreed_actions=[
            services.AgreedAction(
                key_action="Evaluate reading interventions",
                strand=Strand.MIND,
                lead_role="Deputy head",
                due_date=date(2024, 12, 13),
            )
        ],
        groups=[alpha["dis"]],
        **extra,
    )


def test_snapshot_stores_the_figures_of_the_day(alpha):
    report = _record(alpha)
    rows = [r for r in report.gap_snapshot if r["measure"] == "ks2_rwm_exp"]
    assert len(rows) == 1
    row = rows[0]
    # 2024: disadvantaged 12/20 = 60%, others 33/40 = 82.5% → gap 22.5; 2023 gap 80 − 55 = 25;
    # national 2024: 82 − 62 = 20
    assert row["year"] == 2024
    assert row["focus_value"] == pytest.approx(60.0)
    assert row["comparison_value"] == pytest.approx(82.5)
    assert row["gap"] == pytest.approx(22.5)
    assert (row["previous_year"], row["previous_gap"]) == (2023, pytest.approx(25.0))
    assert row["national_gap"] == pytest.approx(20.0)
    assert row["focus_cohort"] == 20 and row["comparison_cohort"] == 40


def test_snapshot_survives_a_later_import(alpha, client):
    report = _record(alpha)
    # A revised import: 16 of 20 disadvantaged pupils reached the standard in 2024 (80%) → gap 82.5 − 80 = 2.5
    Result.objects.filter(school=alpha["school"], results_year=2024, pupil_group=alpha["dis"]).update(
        achievers=16, value=80
    )
    fresh = services.gap_snapshot(alpha["school"], as_of=VISIT_DAY, groups=[alpha["dis"]])
    assert [r["gap"] for r in fresh if r["measure"] == "ks2_rwm_exp"] == [pytest.approx(2.5)]
    report.refresh_from_db()
    kept = [r for r in report.gap_snapshot if r["measure"] == "ks2_rwm_exp"][0]
    assert kept["gap"] == pytest.approx(22.5)
    client.force_login(alpha["head"])
    page = client.get(report.get_absolute_url()).content.decode()
    assert "22.5" in page and ">2.5<" not in page


def test_agreed_actions_land_on_the_schools_plan(alpha):
    report = _record(alpha)
    # November 2024 is in 2024/25, results year 2025: the school had no plan, so one is created for it
    plan = Plan.objects.get(school=alpha["school"])
    assert (plan.level, plan.start_year, plan.end_year, plan.status) == ("school", 2025, 2025, "active")
    action = Action.objects.get(plan=plan)
    assert action.key_action == "Evaluate reading interventions"
    assert action.source_visit == report and action.strand == "mind" and action.lead_role == "Deputy head"
    assert list(action.schools.all()) == [alpha["school"]]
    # A second visit adds to the same plan rather than making another
    services.record_visit(
        adviser=alpha["adviser"],
        school=alpha["school"],
        visit_date=date(2025, 2, 3),
        visit_type="kit",
        purpose="Follow-up",
        agreed_actions=[services.AgreedAction(key_action="Report the gap to governors")],
    )
    assert Plan.objects.filter(school=alpha["school"]).count() == 1
    assert plan.actions.count() == 2


def test_agreed_actions_use_an_existing_active_plan(alpha):
    existing = Plan.objects.create(
        la=alpha["la"],
        level="school",
        school=alpha["school"],
        title="Alpha plan",
        start_year=2024,
        end_year=2026,
        status="active",
    )
    _record(alpha)
    assert list(Action.objects.values_list("plan", flat=True)) == [existing.pk]


def test_only_the_schools_head_acknowledges(alpha):
    report = _record(alpha)
    with pytest.raises(PermissionDenied):
        services.acknowledge_visit(report=report, head=alpha["adviser"], comment="")
    services.acknowledge_visit(report=report, head=alpha["head"], comment="Agreed; tracking starts Monday.")
    report.refresh_from_db()
    assert report.acknowledged_by == alpha["head"] and report.head_comment == "Agreed; tracking starts Monday."
    with pytest.raises(ValidationError):
        services.acknowledge_visit(report=report, head=alpha["head"], comment="again")


def test_acknowledge_through_the_page(alpha, client):
    report = _record(alpha)
    client.force_login(alpha["head"])
    page = client.get(report.get_absolute_url())
    assert b"Acknowledge report" in page.content
    response = client.post(reverse("strategy:visit_acknowledge", args=[report.pk]), {"comment": "Thank you"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.acknowledged_at is not None and report.head_comment == "Thank you"


def test_quality_assurance_and_the_share_meeting_all_seven(alpha):
    first, second = (
        _record(alpha),
        services.record_visit(
            adviser=alpha["adviser"],
            school=alpha["school"],
            visit_date=date(2025, 1, 20),
            visit_type="kit",
            purpose="Keeping in touch",
        ),
    )
    third = services.record_visit(
        adviser=alpha["adviser"],
        school=alpha["school"],
        visit_date=date(2025, 3, 3),
        visit_type="kit",
        purpose="Keeping in touch",
    )
    all_seven = dict.fromkeys(
        (
            "timely",
            "accurate",
            "issues_timescale",
            "challenge",
            "agenda_for_action",
            "clear_format",
            "feeds_risk_register",
        ),
        True,
    )
    with pytest.raises(PermissionDenied):
        services.quality_assure_visit(report=first, reviewer=alpha["adviser"], features=all_seven)
    services.quality_assure_visit(report=first, reviewer=alpha["officer"], features=all_seven)
    qa = services.quality_assure_visit(
        report=second, reviewer=alpha["officer"], features={**all_seven, "challenge": False}
    )
    assert qa.features_met == 6 and not qa.meets_all
    # 1 of the 2 quality-assured reports meets all seven; the third is not yet assured
    assert visit_reports_meeting_all_features(alpha["la"]) == (1, 2)
    # revising the second to all seven: 2 of 2
    services.quality_assure_visit(report=second, reviewer=alpha["officer"], features=all_seven)
    assert visit_reports_meeting_all_features(alpha["la"]) == (2, 2)
    assert VisitReport.objects.filter(quality_assurance__isnull=True).get() == third


def test_recording_a_visit_through_the_form(alpha, client):
    client.force_login(alpha["adviser"])
    url = reverse("strategy:visit_create", args=[alpha["school"].urn])
    assert client.get(url).status_code == 200
    data = {
        "visit_date": "2024-11-01",
        "visit_type": "termly",
        "purpose": "Gap review",
        "strengths": "",
        "areas_for_development": "",
        "next_visit_date": "2025-01-15",
        "groups": [alpha["dis"].pk],
        "judgement-TOTAL_FORMS": 2,
        "judgement-INITIAL_FORMS": 0,
        "judgement-0-focus_area": "Use of the pupil premium",
        "judgement-0-rag": "amber-green",
        "judgement-0-comment": "Well targeted",
        "agreed-TOTAL_FORMS": 2,
        "agreed-INITIAL_FORMS": 0,
        "agreed-0-key_action": "Half-termly pupil progress meetings",
        "agreed-0-strand": "mind",
        "agreed-0-lead_role": "Deputy head",
        "agreed-0-due_date": "2024-12-20",
        "agreed-1-strand": "narrow",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    report = VisitReport.objects.get()
    assert report.judgements.get().rag == "amber-green"
    assert [r["gap"] for r in report.gap_snapshot if r["measure"] == "ks2_rwm_exp"] == [pytest.approx(22.5)]
    assert Action.objects.get().plan.school == alpha["school"]


def test_bad_visit_input_changes_nothing(alpha, client):
    client.force_login(alpha["adviser"])
    url = reverse("strategy:visit_create", args=[alpha["school"].urn])
    data = {
        "visit_date": "2024-11-01",
        "visit_type": "termly",
        "purpose": "Gap review",
        "next_visit_date": "2024-10-01",  # before the visit
        "judgement-TOTAL_FORMS": 1,
        "judgement-INITIAL_FORMS": 0,
        "judgement-0-focus_area": "Reading",
        "judgement-0-rag": "",  # a focus area without a rating
        "agreed-TOTAL_FORMS": 1,
        "agreed-INITIAL_FORMS": 0,
        "agreed-0-key_action": "Do it",
        "agreed-0-strand": "mind",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "The next visit must be after this one." in body and "Give the focus area a RAG rating." in body
    assert not VisitReport.objects.exists() and not Action.objects.exists() and not Plan.objects.exists()
