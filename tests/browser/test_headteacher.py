"""Headteacher: sees the own school's gaps (small groups suppressed) and visit reports, acknowledges
a report; another school's typed URL gives the not-found page."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.demo_apps("strategy")]


def test_headteacher_sees_own_school_and_acknowledges_a_report(ui, sign_in):
    from schools.models import Result, School
    from strategy.models import VisitReport

    page = ui.page
    head = ui.site.users["head"]
    school = head.profile.school
    other = School.objects.filter(la=ui.site.la).exclude(pk=school.pk).order_by("urn").first()

    sign_in("head")
    # Home is the head's own school page, with its gaps.
    assert ui.path() == f"/schools/{school.urn}/"
    assert page.get_by_role("heading", level=1).inner_text() == school.name
    summary = page.locator("table", has=page.locator("caption", has_text="latest results year of each measure"))
    assert "Gap" in summary.locator("thead").inner_text() and "England's gap" in summary.locator("thead").inner_text()
    assert summary.locator("tbody tr").count() >= 1
    # Groups of 1–5 pupils are suppressed for a headteacher (the demo school has some): on a measure's page,
    # every group and year.
    small = Result.objects.filter(school=school, cohort__gte=1, cohort__lt=6).select_related("measure").first()
    assert small is not None
    ui.goto(f"/schools/{school.urn}/measures/{small.measure.code}/")
    assert "SUPP" in page.locator("main").inner_text()
    ui.goto(f"/schools/{school.urn}/")
    # The school list holds this school only.
    nav = page.get_by_role("navigation", name="Main")
    ui.press_enter_on(nav.get_by_role("link", name="Schools", exact=True))
    assert page.locator("main a[href^='/schools/8']").all_inner_texts() == [school.name]

    # --- visit reports: the school's own only
    ui.press_enter_on(nav.get_by_role("link", name="Plans", exact=True))
    ui.press_enter_on(page.get_by_role("navigation", name="Plans and visits").get_by_role("link", name="Visit reports"))
    reports = VisitReport.objects.filter(school=school)
    links = page.locator("main a[href^='/strategy/visits/']").filter(has_not_text="Visit reports")
    hrefs = sorted(links.evaluate_all("els => els.map(e => e.getAttribute('href'))"))
    assert hrefs == sorted(f"/strategy/visits/{r.pk}/" for r in reports)
    report = reports.filter(acknowledged_at__isnull=True).order_by("pk").first()
    assert report is not None, "the demo leaves one report for the head to acknowledge"
    ui.press_enter_on(page.locator(f"main a[href='/strategy/visits/{report.pk}/']"))

    # --- acknowledge it with a comment
    ui.type_into(page.get_by_label("Your comment (optional)"), "Agreed; governors will see the plan in January.")
    ui.press_enter_on(page.get_by_role("button", name="Acknowledge report"))
    assert "Report acknowledged." in page.get_by_role("status").inner_text()
    report.refresh_from_db()
    assert report.acknowledged_by == head
    assert report.head_comment == "Agreed; governors will see the plan in January."
    assert page.get_by_role("button", name="Acknowledge report").count() == 0

    # --- another school's page, typed in: not found
    with ui.expecting_console_error(r"status of 404"):
        response = ui.goto(f"/schools/{other.urn}/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    other_visit = VisitReport.objects.exclude(school=school).first()
    assert other_visit is not None, "the demo has visits to other schools"
    with ui.expecting_console_error(r"status of 404"):
        assert ui.goto(f"/strategy/visits/{other_visit.pk}/").status == 404
