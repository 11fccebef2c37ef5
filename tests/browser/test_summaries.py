"""Each role lands on a summary that fits about a screen, at 1366 × 900 (a common school laptop):

- the page is no taller than its budget (stated below, in screens of 900 px), measured after the charts draw;
- nothing scrolls sideways: ``document.documentElement.scrollWidth`` ≤ the viewport's width;
- no table is cut: every table's scrolling wrapper is as wide as the table (no column hidden off to the side);
- axe-clean, like every page the browser tests visit (``ui.goto`` checks it).

Budgets (px): a headteacher's landing page (their school's summary) 1,800 (2 screens); an adviser's (their
schools, flags and visits due) 1,800; an LA officer's (the LA against England, region and neighbours, schools
to challenge, targets) 2,700 (3 screens); any school page's default view under 3,600 (4 screens), whoever opens
it. Before these summaries the head's landing page was about 57,700 px tall (761 table rows).
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.demo_apps("strategy")]

WIDTH, HEIGHT = 1366, 900
SCREEN = HEIGHT
BUDGETS = {"head": 2 * SCREEN, "adviser": 2 * SCREEN, "officer": 3 * SCREEN}
SCHOOL_PAGE_BUDGET = 4 * SCREEN

CUT_TABLES = """() => Array.from(document.querySelectorAll('.table-wrap'))
    .filter(wrap => wrap.scrollWidth > wrap.clientWidth + 1)
    .map(wrap => (wrap.querySelector('caption') || wrap).innerText.slice(0, 80))"""


def measure(ui) -> dict:
    page = ui.page
    drawn = page.locator("[data-chart]").count()
    if drawn:
        page.wait_for_function("n => document.querySelectorAll('[data-chart] svg.main-svg').length >= n", arg=drawn)
    return {
        "height": page.evaluate("document.documentElement.scrollHeight"),
        "width": page.evaluate("document.documentElement.scrollWidth"),
        "cut": page.evaluate(CUT_TABLES),
    }


def assert_fits(ui, budget: int) -> dict:
    found = measure(ui)
    where = ui.path()
    assert found["width"] <= WIDTH, f"{where} scrolls sideways: {found['width']} px wide"
    assert not found["cut"], f"{where}: tables wider than the page (columns cut off): {found['cut']}"
    assert found["height"] <= budget, f"{where} is {found['height']} px tall (budget {budget})"
    return found


@pytest.mark.parametrize("role", ["head", "adviser", "officer"])
def test_each_role_lands_on_a_summary_that_fits(ui, sign_in, role):
    ui.page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    sign_in(role)
    page = ui.page
    landing = {"head": f"/schools/{ui.site.users['head'].profile.school.urn}/", "adviser": "/schools/"}
    assert ui.path() == landing.get(role, "/overview/")
    found = assert_fits(ui, BUDGETS[role])
    print(f"{role} landing {ui.path()}: {found['height']} px tall")
    main = page.locator("main").inner_text()
    if role == "head":
        assert "pupils against England" in main and "What is due" in main
        # Each summary line links to its evidence: the measure's own page (every group and year).
        evidence = page.locator(".summary-lines a").first
        ui.press_enter_on(evidence)
        assert "/measures/" in ui.path()
        assert page.get_by_role("heading", name="Every group and year").count() == 1
        found = measure(ui)
        assert found["width"] <= WIDTH and not found["cut"], found
    elif role == "adviser":
        assert "My schools" in main and "Visits due" in main
        assert "Schools in " not in main  # the adviser sees their schools, not the LA's
    else:
        assert "Schools to challenge" in main and "Targets on and off track" in main
        assert "statistical neighbours" in main.lower()


def test_the_school_page_default_view_is_under_four_screens_for_every_role(ui, sign_in):
    from schools.models import School

    ui.page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    la = ui.site.la
    head_school = ui.site.users["head"].profile.school
    secondary = School.objects.filter(la=la, phase="secondary").order_by("urn").first()
    special = School.objects.filter(la=la, phase="special").order_by("urn").first()
    sign_in("officer")
    heights = {}
    for school in (head_school, secondary, special):
        ui.goto(f"/schools/{school.urn}/")
        heights[school.urn] = assert_fits(ui, SCHOOL_PAGE_BUDGET)["height"]
    adviser_school = ui.site.users["adviser"].profile.schools.order_by("urn").first()
    ui.page.context.clear_cookies()
    sign_in("adviser")
    ui.goto(f"/schools/{adviser_school.urn}/")
    heights[adviser_school.urn] = assert_fits(ui, SCHOOL_PAGE_BUDGET)["height"]
    print("school page heights:", heights)
