"""`make screenshots`: PNGs of the demo LA's main pages for the README, in docs/screenshots/.

Skipped in ordinary runs (it rewrites files under docs/); `--screenshots` turns it on. Each page is
still checked like any other (axe, console, outside requests) before it is photographed.
"""

import pytest

from .conftest import SCREENSHOT_DIR

pytestmark = [
    pytest.mark.browser,
    pytest.mark.screenshots,
    pytest.mark.demo_apps("strategy", "ragboard", schools=30, years=6),
]

WIDTH, HEIGHT = 1366, 900  # the viewport the summaries are budgeted for (tests/browser/test_summaries.py)


@pytest.fixture
def shots():
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


def snap(ui, directory, name, path, *, full_page=False, max_height=2400):
    """Visit, check, wait for charts, and write ``name``.png; returns the file."""
    page = ui.page
    ui.goto(path)
    drawn = page.locator("[data-chart]").count()
    if drawn:
        page.wait_for_function("n => document.querySelectorAll('[data-chart] svg.main-svg').length >= n", arg=drawn)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    target = directory / f"{name}.png"
    if full_page:
        height = min(page.evaluate("document.documentElement.scrollHeight"), max_height)
        page.screenshot(path=str(target), clip={"x": 0, "y": 0, "width": WIDTH, "height": height}, full_page=True)
    else:
        page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000, f"{target} looks empty"
    return target


def test_screenshots_of_main_pages(ui, sign_in, shots):
    from ragboard.models import Round  # noqa: F401 - the app must be there
    from strategy.models import Plan

    ui.page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    la = ui.site.la
    school = ui.site.users["head"].profile.school
    # Each role's landing page, as they see it on signing in.
    sign_in("head")
    head = snap(ui, shots, "head", ui.path(), full_page=True)
    ui.page.context.clear_cookies()
    sign_in("adviser")
    adviser = snap(ui, shots, "adviser", ui.path(), full_page=True)
    ui.page.context.clear_cookies()
    sign_in("officer")
    plan = (
        Plan.objects.filter(la=la, level=Plan.Level.LA_TEAM).order_by("pk").first()
        or Plan.objects.filter(la=la).order_by("pk").first()
    )
    written = [
        head,
        adviser,
        snap(ui, shots, "overview", "/overview/", full_page=True),
        snap(ui, shots, "school-measure", f"/schools/{school.urn}/measures/ks2_rwm_exp/", full_page=True),
        snap(ui, shots, "priority", "/priority/", full_page=True),
        snap(ui, shots, "cluster-rag", "/cluster-rag/", full_page=True),
        snap(ui, shots, "plan", f"/strategy/plans/{plan.pk}/", full_page=True),
        snap(ui, shots, "self-evaluation", "/ragboard/", full_page=True),
    ]
    assert [p.name for p in written] == [
        "head.png",
        "adviser.png",
        "overview.png",
        "school-measure.png",
        "priority.png",
        "cluster-rag.png",
        "plan.png",
        "self-evaluation.png",
    ]


def test_picture_of_the_briefing(ui, sign_in, shots):
    """The members' briefing's first page, as the officer downloads it, rendered by Typst to PNG."""
    from reports.briefing import build_briefing
    from reports.pdf import render_pdf

    sign_in("officer")
    target = shots / "briefing.png"
    target.write_bytes(render_pdf(build_briefing(ui.site.la), png=True, ppi=100))
    assert target.stat().st_size > 10_000, f"{target} looks empty"
