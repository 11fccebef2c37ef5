"""Visit reports: the gap snapshot survives later imports, agreed actions land on the school's plan,
acknowledgement by the head, quality assurance against the seven features."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from schools.models import Result
from schools.roles import Role
from strategy import services, visits
from strategy.models import Action, Plan, Strand, VisitReport
from strategy.selectors import visit_reports_meeting_all_features

from .strategy_support import add_result, build_alpha, make_user

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
        **{"groups": [alpha["dis"]], **extra},
    )


def test_snapshot_states_the_gap_against_national_as_the_school_page_does(alpha):
    report = _record(alpha)
    rows = [r for r in report.gap_snapshot if r["measure"] == "ks2_rwm_exp"]
    assert len(rows) == 1
    row = rows[0]
    # 2024: disadvantaged 12/20 = 60% against other pupils nationally 820/1000 = 82% → gap 22;
    # 2023: 81 − 55 = 26; England's own gap 2024: 82 − 62 = 20
    assert (row["year"], row["year_label"], row["comparator"]) == (2024, "2023/24", "national")
    assert row["focus_value"] == pytest.approx(60.0) and row["focus_cohort"] == 20
    assert row["national_comparison_value"] == pytest.approx(82.0)
    assert row["gap"] == pytest.approx(22.0)
    assert (row["previous_year"], row["previous_gap"]) == (2023, pytest.approx(26.0))
    assert row["national_gap"] == pytest.approx(20.0)
    # 20 pupils is too few to judge on one year: the 3-year pooled view (2022–24) decides the flags.
    # Disadvantaged 33/60 = 55%, others 97/120 = 80.8%: gap 25.8, England's 1830/3000 = 61% vs 81% → 20,
    # wider by 5.8 (≥ 5); and 55% is below disadvantaged pupils nationally (61%).
    assert row["flags"] == ["Gap wider than England's", "Group below national"]


def test_snapshot_keeps_one_results_year_per_measure(alpha):
    from schools.models import Measure, PupilGroup

    school = alpha["school"]
    eal, not_eal = PupilGroup.objects.get(code="eal"), PupilGroup.objects.get(code="not_eal")
    add_result(school, alpha["measure"], eal, 2022, 6, 10)  # EAL figures only from 2022
    add_result(school, alpha["measure"], not_eal, 2022, 36, 50)
    reading = Measure.objects.get(code="ks2_read_exp")  # reading: the school's latest figures are 2023's
    add_result(school, reading, alpha["dis"], 2023, 14, 20)
    add_result(school, reading, alpha["other"], 2023, 36, 40)
    report = _record(alpha, measures=[alpha["measure"], reading])
    years = {(r["measure"], r["group"]): r["year"] for r in report.gap_snapshot}
    # KS2 RWM: 2024 only; the EAL row from 2022 is left out rather than mixed into a 2023/24 table.
    assert years == {("ks2_rwm_exp", "disadvantaged"): 2024, ("ks2_read_exp", "disadvantaged"): 2023}
    assert visits.years_text(report.gap_snapshot) == "KS2 RWM expected 2023/24; KS2 reading expected 2022/23"


def test_snapshot_stores_figures_as_disclosed(alpha):
    from schools.models import PupilGroup

    school = alpha["school"]
    eal, not_eal = PupilGroup.objects.get(code="eal"), PupilGroup.objects.get(code="not_eal")
    add_result(school, alpha["measure"], eal, 2024, 3, 4)  # 4 EAL pupils: never stored
    add_result(school, alpha["measure"], not_eal, 2024, 42, 56)
    report = _record(alpha, groups=[alpha["dis"], eal])
    row = next(r for r in report.gap_snapshot if r["group"] == "eal")
    assert (row["focus_value"], row["focus_cohort"], row["focus_marker"], row["gap"]) == (None, None, "SUPP", None)
    assert row["suppressed"] and row["flags"] == []
    assert "75.0" not in str(report.gap_snapshot)


def test_snapshot_survives_a_later_import(alpha, client):
    report = _record(alpha)
    # A revised import: 16 of 20 disadvantaged pupils reached the standard in 2024 (80%) → gap 82 − 80 = 2
    for revised in Result.objects.filter(school=alpha["school"], results_year=2024, pupil_group=alpha["dis"]):
        revised.achievers, revised.value = 16, 80
        revised.save()  # an ORM save re-pools the school's figures (schools.aggregates)
    fresh = visits.visit_figures(alpha["school"], as_of=VISIT_DAY, groups=[alpha["dis"]])
    assert [r["gap"] for r in fresh if r["measure"] == "ks2_rwm_exp"] == [pytest.approx(2.0)]
    report.refresh_from_db()
    kept = [r for r in report.gap_snapshot if r["measure"] == "ks2_rwm_exp"][0]
    assert kept["gap"] == pytest.approx(22.0)
    client.force_login(alpha["head"])
    page = client.get(report.get_absolute_url()).content.decode()
    assert "+22.0" in page and "+2.0<" not in page
    assert "KS2 RWM expected · 2023/24 results" in page


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


FLAGGED = "ks2_rwm_exp:disadvantaged"


def _form(**extra):
    data = {
        "visit_date": "2025-02-03",
        "visit_type": "termly",
        "purpose": "Gap review",
        "strengths": "",
        "areas_for_development": "",
        "next_visit_date": "2025-04-01",
        "review-TOTAL_FORMS": 0,
        "review-INITIAL_FORMS": 0,
        "agreed-TOTAL_FORMS": 1,
        "agreed-INITIAL_FORMS": 0,
        "agreed-0-strand": "narrow",
        "focus-other": "",
    }
    data.update(extra)
    return data


def test_the_form_shows_the_figures_flags_and_last_visits_actions(alpha, client):
    first = _record(alpha)
    action = first.agreed_actions.get()
    services.record_update(action=action, rag="red", note="Not started", on=date(2024, 12, 1))
    client.force_login(alpha["adviser"])
    response = client.get(reverse("strategy:visit_create", args=[alpha["school"].urn]))
    page = response.content.decode()
    # Today's figures (the latest results in the test data are 2024's), the gap against national
    assert "KS2 RWM expected · 2023/24 results" in page and "+22.0" in page
    assert "Gap wider than England&#x27;s" in page
    # The flagged gap is offered as a focus area; the last visit's action with its RAG now (Red)
    assert response.context["focus"].fields["gaps"].choices[0][0] == FLAGGED
    review = response.context["reviews"]
    assert [f.action for f in review.forms] == [action] and review.forms[0].initial == {"rag": "red"}
    assert "Evaluate reading interventions" in page


def test_an_actions_rag_is_updated_in_place_and_a_flagged_gap_becomes_a_focus_area(alpha, client):
    first = _record(alpha)
    reviewed, untouched = first.agreed_actions.get(), None
    untouched = services.record_visit(
        adviser=alpha["adviser"],
        school=alpha["school"],
        visit_date=date(2024, 11, 2),
        visit_type="kit",
        purpose="Keeping in touch",
        agreed_actions=[services.AgreedAction(key_action="Tutoring for Year 6")],
    ).agreed_actions.get()
    services.record_update(action=untouched, rag="green", note="Started", on=date(2024, 11, 20))
    # The last visit is now the 2 November one: its one action is reviewed; the 1 November one's is not.
    client.force_login(alpha["adviser"])
    url = reverse("strategy:visit_create", args=[alpha["school"].urn])
    data = _form(
        **{
            "review-TOTAL_FORMS": 1,
            "review-0-rag": "amber",
            "review-0-note": "",
            "focus-gaps": [FLAGGED],
            "focus-other": "Attendance of disadvantaged pupils\n\nGovernors' pupil premium statement",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    report = VisitReport.objects.latest("pk")
    # Green → Amber: one dated update, so the action's status on the plan is now Amber
    untouched.refresh_from_db()
    assert untouched.rag == "amber"
    update = untouched.updates.order_by("-pk").first()
    assert (update.date, update.note, update.recorded_by) == (
        date(2025, 2, 3),
        "Reviewed at the visit on 3 Feb 2025.",
        alpha["adviser"],
    )
    assert reviewed.updates.count() == 0
    areas = list(report.judgements.values_list("focus_area", "gap", "rag"))
    assert areas == [
        (
            "KS2 RWM expected, Disadvantaged: 22.0 percentage points behind not disadvantaged (other pupils) "
            "nationally (2023/24)",
            FLAGGED,
            "",
        ),
        ("Attendance of disadvantaged pupils", "", ""),
        ("Governors' pupil premium statement", "", ""),
    ]
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Flagged gap" in page and "Tutoring for Year 6" in page


def test_leaving_an_actions_rag_as_it_is_records_nothing(alpha, client):
    action = _record(alpha).agreed_actions.get()
    services.record_update(action=action, rag="amber", note="Under way", on=date(2024, 12, 1))
    client.force_login(alpha["adviser"])
    data = _form(**{"review-TOTAL_FORMS": 1, "review-0-rag": "amber", "review-0-note": ""})
    response = client.post(reverse("strategy:visit_create", args=[alpha["school"].urn]), data)
    assert response.status_code == 302
    assert action.updates.count() == 1


def test_a_gap_that_is_not_flagged_cannot_be_picked(alpha, client):
    client.force_login(alpha["adviser"])
    data = _form(**{"focus-gaps": ["ks2_rwm_exp:eal"]})
    response = client.post(reverse("strategy:visit_create", args=[alpha["school"].urn]), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not VisitReport.objects.exists()


def test_bad_visit_input_changes_nothing(alpha, client):
    action = _record(alpha).agreed_actions.get()
    client.force_login(alpha["adviser"])
    url = reverse("strategy:visit_create", args=[alpha["school"].urn])
    data = _form(
        **{
            "next_visit_date": "2025-01-01",  # before the visit
            "review-TOTAL_FORMS": 1,
            "review-0-rag": "",
            "review-0-note": "Started late",  # a note without a rating
            "agreed-0-key_action": "Do it",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "The next visit must be after this one." in body and "Give the action a RAG rating" in body
    assert VisitReport.objects.count() == 1 and action.updates.count() == 0 and Action.objects.count() == 1


def test_the_head_acknowledges_and_then_the_report_is_closed_to_edits(alpha, client):
    report = _record(alpha)
    client.force_login(alpha["adviser"])
    edit = reverse("strategy:visit_edit", args=[report.pk])
    judgement = report.judgements.get()
    data = _form(
        **{
            "visit_date": "2024-11-01",
            "next_visit_date": "2025-01-15",
            "judged-TOTAL_FORMS": 1,
            "judged-INITIAL_FORMS": 1,
            "judged-0-id": judgement.pk,
            "judged-0-rag": "amber",
            "judged-0-comment": "Tracking in place, impact not yet seen",
            "focus-gaps": [FLAGGED],
        }
    )
    assert client.post(edit, data).status_code == 302
    report.refresh_from_db()
    assert report.next_visit_date == date(2025, 1, 15)
    assert list(report.judgements.values_list("rag", "gap")) == [("amber", ""), ("", FLAGGED)]
    client.force_login(alpha["head"])
    assert client.get(edit).status_code == 403
    response = client.post(reverse("strategy:visit_acknowledge", args=[report.pk]), {"comment": "Agreed"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.acknowledged_by == alpha["head"] and report.head_comment == "Agreed"
    client.force_login(alpha["adviser"])
    assert client.get(edit).status_code == 403  # acknowledged: no longer the adviser's to change
    page = client.get(reverse("strategy:visit_print", args=[report.pk])).content.decode()
    assert "Acknowledged by Alphahead on" in page and "Chair of governors" in page


def test_a_head_cannot_open_another_schools_visit(alpha, client):
    from schools.models import School

    other = School.objects.create(urn=901002, la=alpha["la"], name="Beta Primary", phase="primary")
    report = services.record_visit(
        adviser=alpha["officer"], school=other, visit_date=VISIT_DAY, visit_type="kit", purpose="Keeping in touch"
    )
    client.force_login(alpha["head"])
    for name in ("strategy:visit", "strategy:visit_print", "strategy:visit_edit"):
        assert client.get(reverse(name, args=[report.pk])).status_code == 404, name
    assert client.post(reverse("strategy:visit_acknowledge", args=[report.pk])).status_code == 404
    assert client.get(reverse("strategy:visit_create", args=[other.urn])).status_code == 404
    report.refresh_from_db()
    assert report.acknowledged_at is None


def test_visits_have_their_own_menu_item(alpha, client):
    client.force_login(alpha["adviser"])
    response = client.get(reverse("strategy:visits"))
    current = [item["label"] for item in response.context["nav_items"] if item["current"]]
    assert current == ["Visits"]


def test_the_pdf_and_word_documents_show_the_pages_content(alpha, client):
    from tests.report_support import docx_tables, docx_text, pdf_text

    first = _record(alpha)
    services.record_update(action=first.agreed_actions.get(), rag="amber", note="Under way", on=date(2025, 1, 10))
    report = services.record_visit(
        adviser=alpha["adviser"],
        school=alpha["school"],
        visit_date=date(2025, 2, 3),
        visit_type="kit",
        purpose="Follow-up",
        focus=services.FocusAreas(gaps=[FLAGGED], other=["Attendance"]),
        groups=[alpha["dis"]],
    )
    client.force_login(alpha["head"])
    docx = client.get(reverse("reports:visit_report", args=[report.pk, "docx"])).content
    text = docx_text(docx)
    assert "Results year of each measure: KS2 RWM expected 2023/24." in text
    figures, reviewed, focus = docx_tables(docx)[:3]
    assert figures[1][:3] == ["KS2 RWM expected", "2023/24", "Disadvantaged vs not disadvantaged (other pupils)"]
    # 20 pupils, 60.0% against 82.0% nationally: +22.0; 2023: +26.0; England's +20.0
    assert figures[1][3:10] == [
        "20",
        "60.0%",
        "82.0%",
        "+22.0",
        "+26.0",
        "+20.0",
        "Gap wider than England's; Group below national",
    ]
    assert reviewed[1] == ["Evaluate reading interventions", "Deputy head; 13 Dec 2024", "Amber"]
    assert [row[0] for row in focus[1:]] == [
        "KS2 RWM expected, Disadvantaged: 22.0 percentage points behind not disadvantaged (other pupils) "
        "nationally (2023/24)",
        "Attendance",
    ]
    pdf = pdf_text(client.get(reverse("reports:visit_report", args=[report.pk, "pdf"])).content)
    assert "Results year of each measure: KS2 RWM expected 2023/24." in pdf and "+22.0" in pdf


def test_the_visit_list_names_each_school_with_its_urn(alpha, client):
    _record(alpha)
    client.force_login(alpha["head"])
    table = client.get(reverse("strategy:visits")).context["table"]
    assert [column.header for column in table.columns][:3] == ["Date", "School", "URN"]
    assert [(row.get_cell("school"), row.get_cell("urn")) for row in table.rows] == [("Alpha Primary", 901001)]
