"""Charts: plotly (served from our own static files) draws an SVG for every chart on the gap pages
and the support-engagement page, with no request leaving localhost and no console error (both
checked by the ``ui`` fixture). Without JavaScript the same figures are readable in tables."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.demo_apps("strategy")]


def assert_every_chart_drawn(page):
    charts = page.locator("[data-chart]")
    count = charts.count()
    assert count >= 1, f"no chart on {page.url}"
    page.wait_for_function("n => document.querySelectorAll('[data-chart] svg.main-svg').length >= n", arg=count)
    for index in range(count):
        chart = charts.nth(index)
        source = chart.get_attribute("data-chart")
        assert page.locator(f"script#{source}[type='application/json']").count() == 1
        assert chart.locator("svg.main-svg").count() >= 1, f"chart {source} not drawn on {page.url}"
        # Each drawn chart has one line per trace in its data, and a name for assistive technology.
        traces = page.evaluate(f"JSON.parse(document.getElementById('{source}').textContent).data.length")
        assert chart.locator("g.trace").count() == traces
        assert chart.get_attribute("aria-label")
    return count


def test_charts_render_from_local_plotly(ui, sign_in):
    from strategy.models import SupportEngagement

    page = ui.page
    plotly_requests = []
    page.on("request", lambda request: plotly_requests.append(request.url) if "plotly" in request.url else None)
    sign_in("officer")
    head_school = ui.site.users["head"].profile.school
    pages = [
        "/overview/detail/",
        f"/areas/{head_school.area_id}/",
        f"/clusters/{head_school.cluster_id}/",
        f"/schools/{head_school.urn}/groups/",
        f"/schools/{head_school.urn}/measures/ks2_rwm_exp/",
    ]
    engagement = SupportEngagement.objects.first()
    if engagement is not None:
        pages.append(f"/strategy/support/{engagement.pk}/")
    drawn = {}
    for path in pages:
        ui.goto(path)
        drawn[path] = assert_every_chart_drawn(page)
    assert all(count >= 1 for count in drawn.values()), drawn
    # plotly.js came from this server's static files, never a CDN.
    assert plotly_requests and all(url.startswith(ui.site.url + "/static/") for url in plotly_requests)


def test_figures_are_readable_without_javascript(browser, site, ui, sign_in):
    """With JavaScript off, each chart's place says so and its table (open) carries the figures."""
    sign_in("officer")
    cookies = ui.page.context.cookies()
    context = browser.new_context(base_url=site.url, java_script_enabled=False)
    try:
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto("/overview/detail/")
        charts = page.locator("[data-chart]")
        assert charts.count() >= 1
        assert page.locator("svg.main-svg").count() == 0
        for index in range(charts.count()):
            assert "the table below has the same figures" in charts.nth(index).inner_text()
        tables = page.locator("details.chart-table[open] table")
        assert tables.count() == charts.count()
        assert tables.first.locator("tbody tr").count() >= 1
    finally:
        context.close()
