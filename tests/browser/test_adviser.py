"""Adviser: records a visit report with agreed actions for an assigned school; the actions land on
the school's plan. A school not assigned is not found (404), not even offered."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.demo_apps("strategy")]

ACTIONS = [
    ("Daily reading sessions for disadvantaged Year 6 pupils", "Year 6 lead"),
    ("Report the disadvantaged gap to governors each term", "Headteacher"),
]


def test_adviser_records_visit_and_actions_reach_the_plan(ui, sign_in):
    from schools.models import School
    from strategy.models import Action, VisitReport

    page = ui.page
    adviser = ui.site.users["adviser"]
    assigned = list(adviser.profile.schools.order_by("name"))
    school = assigned[0]
    outsider = School.objects.filter(la=ui.site.la).exclude(pk__in=[s.pk for s in assigned]).order_by("urn").first()

    sign_in("adviser")
    nav = page.get_by_role("navigation", name="Main")
    ui.press_enter_on(nav.get_by_role("link", name="Visits", exact=True))
    assert ui.path() == "/strategy/visits/"

    # The chooser offers the adviser's schools only.
    chooser = page.get_by_label("Record a visit to")
    offered = sorted(t.strip() for t in chooser.locator("option").all_inner_texts() if t.strip())
    assert offered == sorted(f"{s.name} (URN {s.urn})" for s in assigned)
    ui.select(chooser, str(school.urn))
    ui.press_enter_on(page.get_by_role("button", name="Start report"))
    assert ui.path() == f"/strategy/visits/new/{school.urn}/"

    # --- the report, typed with the keyboard
    ui.select(page.get_by_label("Visit type"), "Pupil premium review")
    ui.type_into(page.get_by_label("Purpose"), "Review pupil premium spending against the KS2 gap.")
    ui.type_into(page.get_by_label("Strengths"), "Leaders track disadvantaged pupils half-termly.")
    ui.type_into(page.get_by_label("Areas for development"), "Interventions are not evaluated for impact.")
    ui.type_into(page.get_by_label("Other focus areas"), "Reading for disadvantaged pupils")
    for index, (text, lead) in enumerate(ACTIONS):
        ui.type_into(page.locator(f"#id_agreed-{index}-key_action"), text)
        ui.type_into(page.locator(f"#id_agreed-{index}-lead_role"), lead)
    ui.press_enter_on(page.get_by_role("button", name="Save report"))

    report = VisitReport.objects.filter(school=school, adviser=adviser).latest("pk")
    assert ui.path() == f"/strategy/visits/{report.pk}/"
    assert "Visit recorded" in page.get_by_role("status").inner_text()
    # The snapshot of the school's gaps is stored and shown.
    assert page.locator("caption", has_text="Gap figures as they stood on the day").count() == 1

    # --- the agreed actions are on the school's plan
    plan_link = page.locator("main a[href^='/strategy/plans/']").first
    ui.press_enter_on(plan_link)
    plan_text = page.locator("main").inner_text()
    for text, _lead in ACTIONS:
        assert text in plan_text
    actions = Action.objects.filter(source_visit=report)
    assert sorted(a.key_action for a in actions) == sorted(text for text, _ in ACTIONS)
    assert {a.plan.school_id for a in actions} == {school.pk}
    assert re.match(rf"^/strategy/plans/{actions[0].plan_id}/", ui.path())

    # --- a school not assigned: not offered, and typed URLs are "not found"
    for path in (
        f"/strategy/visits/new/{outsider.urn}/",
        f"/strategy/visits/new/?urn={outsider.urn}",
        f"/schools/{outsider.urn}/",
    ):
        with ui.expecting_console_error(r"status of 404"):
            response = ui.goto(path)
        assert response.status == 404, path
        assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert not VisitReport.objects.filter(school=outsider, adviser=adviser).exists()
