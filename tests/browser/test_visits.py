"""A visit report written from the data, at 1366 × 900: an adviser opens a school, starts a visit, sees the
school's figures (one results year per measure, the gap against national) and the last visit's actions,
updates one action's RAG, picks a flagged gap as a focus area and saves; the report shows one year per
measure, prints, and the school's head acknowledges it. Axe runs on every page (conftest)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.demo_apps("strategy")]

YEAR_LABEL = r"\d{4}/\d{2}"


def _school_to_visit(adviser):
    """An adviser's school with a previous visit whose actions can be reviewed and a gap the figures flag."""
    from datetime import date

    from strategy import visits

    for school in adviser.profile.schools.order_by("urn"):
        last, actions = visits.actions_to_review(school)
        flagged = visits.focus_choices(visits.visit_figures(school, as_of=date.today()))
        if last is not None and actions and flagged:
            return school, actions, flagged
    pytest.fail("the demo gives the adviser a school with a previous visit and a flagged gap")


def test_adviser_writes_a_visit_report_from_the_data_and_the_head_acknowledges_it(ui, sign_in):
    import re

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from schools.models import Profile
    from schools.roles import Role
    from strategy.models import VisitReport

    page = ui.page
    page.set_viewport_size({"width": 1366, "height": 900})
    adviser = ui.site.users["adviser"]
    school, actions, flagged = _school_to_visit(adviser)
    action = actions[0]
    new_rag, new_label = ("green", "Green") if action.rag != "green" else ("amber", "Amber")
    gap_key, gap_label = flagged[0]

    sign_in("adviser")
    # --- the adviser opens the school and starts a visit from its page
    ui.goto(f"/schools/{school.urn}/")
    ui.press_enter_on(page.get_by_role("link", name="Record a visit"))
    assert ui.path() == f"/strategy/visits/new/{school.urn}/"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366

    # The figures: one results year per measure, named in the measure's heading row
    figures = page.locator("table.visit-figures")
    headings = figures.locator("tr.measure-row th").all_inner_texts()
    assert headings and all(len(re.findall(YEAR_LABEL, h)) == 1 for h in headings), headings
    assert "Gap" in figures.locator("thead").inner_text()
    # The actions agreed at the last visit, each with its RAG now
    review = page.locator("table.review-table")
    assert action.key_action in review.inner_text()

    # --- update one action's RAG, pick a flagged gap, say what the visit was for
    ui.select(page.get_by_label(f"RAG now: {action.key_action[:60]}"), new_rag)
    ui.select(page.get_by_label("Visit type"), "Termly support visit")
    ui.type_into(page.get_by_label("Purpose"), "Review the disadvantaged gap and last term's actions.")
    box = page.get_by_label(gap_label)
    ui.tab_to(box)
    page.keyboard.press("Space")
    assert box.is_checked()
    ui.press_enter_on(page.get_by_role("button", name="Save report"))

    report = VisitReport.objects.filter(school=school, adviser=adviser).latest("pk")
    assert ui.path() == f"/strategy/visits/{report.pk}/"
    assert "Visit recorded" in page.get_by_role("status").inner_text()
    # Stored: one results year per measure; the action's status is the new RAG; the gap is a focus area
    years = {}
    for row in report.gap_snapshot:
        years.setdefault(row["measure"], set()).add(row["year"])
    assert years and all(len(found) == 1 for found in years.values()), years
    action.refresh_from_db()
    assert action.rag == new_rag
    assert report.judgements.filter(gap=gap_key).count() == 1
    # The report shows the same
    headings = page.locator("table.visit-figures tr.measure-row th").all_inner_texts()
    assert len(headings) == len(years) and all(len(re.findall(YEAR_LABEL, h)) == 1 for h in headings)
    reviewed = page.locator("table", has=page.locator("caption", has_text="Actions agreed at the"))
    assert new_label in reviewed.locator("tr", has_text=action.key_action).inner_text()
    assert "Flagged gap" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366

    # --- the print view: the same content, with lines for the head's and the chair's signatures
    ui.press_enter_on(page.get_by_role("link", name="Print view"))
    assert "Chair of governors" in page.locator("main").inner_text()
    page.emulate_media(media="print")
    assert page.get_by_role("navigation", name="Main").is_hidden()
    page.emulate_media(media="screen")

    # --- the school's head signs in through the Visits menu and acknowledges the report
    head = get_user_model().objects.create_user(username="visithead", password="demo-password", first_name="Pat")
    head.groups.add(Group.objects.get(name=Role.HEADTEACHER))
    Profile.objects.create(user=head, la=ui.site.la, school=school)
    ui.press_enter_on(page.get_by_role("button", name="Sign out"))
    sign_in("visithead")
    nav = page.get_by_role("navigation", name="Main")
    ui.press_enter_on(nav.get_by_role("link", name="Visits", exact=True))
    assert page.locator("a[aria-current='page']").inner_text() == "Visits"
    ui.press_enter_on(page.locator(f"main a[href='/strategy/visits/{report.pk}/']"))
    ui.type_into(page.get_by_label("Your comment (optional)"), "Agreed; governors will see it in January.")
    ui.press_enter_on(page.get_by_role("button", name="Acknowledge report"))
    assert "Report acknowledged." in page.get_by_role("status").inner_text()
    report.refresh_from_db()
    assert report.acknowledged_by == head and report.head_comment == "Agreed; governors will see it in January."
    assert page.get_by_role("link", name="Edit report").count() == 0
