"""LA officer, self-evaluation: Good without evidence of impact is refused with the reason; once
evidence of impact is linked the same judgement is saved, and the dashboard grid shows it."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.demo_apps("strategy", "ragboard")]

SET, PHASE = "1.2", "PRI"


def test_good_needs_impact_evidence_then_shows_on_the_grid(ui, sign_in, tmp_path):
    from ragboard.models import Descriptor, Grade, Judgement

    page = ui.page
    sign_in("officer")
    nav = page.get_by_role("navigation", name="Main")
    ui.press_enter_on(nav.get_by_role("link", name="Self-evaluation"))
    assert ui.path() == "/ragboard/"
    cell = page.locator(f"td[data-cell='{PHASE}-{SET}']")
    assert cell.locator("a").inner_text() == "NI"
    ui.press_enter_on(cell.locator("a"))

    # The grid's cell opened this round's 1.2 Primary judgement: NI, with no evidence of impact.
    judgement = Judgement.objects.get(pk=int(ui.path().split("/")[3]))
    assert ui.path() == f"/ragboard/judgements/{judgement.pk}/"
    assert (judgement.standard_set.code, judgement.phase, judgement.round.la) == (SET, PHASE, ui.site.la)
    assert judgement.la_grade == Grade.SOME_IMPROVEMENT
    assert not judgement.evidence.filter(shows_impact=True).exists()
    good = list(
        Descriptor.objects.filter(
            standard_set=judgement.standard_set, column=Grade.GOOD, parent=None, rule="statement"
        ).order_by("order")
    )
    lower = Descriptor.objects.filter(
        standard_set=judgement.standard_set, column__in=[Grade.SOME_IMPROVEMENT, Grade.SIGNIFICANT_IMPROVEMENT]
    )

    # --- claim Good: every Good criterion met, no weakness ticked — but no evidence of impact
    def claim_good():
        ui.select(page.get_by_label("LA grade"), "G")
        for descriptor in good:
            box = page.locator(f"input[name=ticked][value='{descriptor.pk}']")
            if not box.is_checked():
                ui.tab_to(box)
                page.keyboard.press("Space")
        for descriptor in lower:
            box = page.locator(f"input[name=ticked][value='{descriptor.pk}']")
            if box.count() and box.is_checked():
                ui.tab_to(box)
                page.keyboard.press("Space")
        with ui.expecting_console_error(r"status of 400"):  # a refusal is a 400 response, by design
            ui.press_enter_on(page.get_by_role("button", name="Save judgement"))

    claim_good()
    refusal = page.get_by_role("alert").filter(has_text="Not saved")
    assert "the rules forbid this grade" in refusal.inner_text()
    assert "evidence of impact" in refusal.inner_text().lower()
    judgement.refresh_from_db()
    assert judgement.la_grade == Grade.SOME_IMPROVEMENT  # refused: nothing saved

    # --- link evidence of impact to this judgement
    ui.press_enter_on(page.get_by_role("link", name="Add evidence to this judgement"))
    ui.select(page.get_by_label("Type"), "Data analysis")
    ui.type_into(page.get_by_label("Title"), "KS2 disadvantaged attainment up 6 points after the reading programme")
    ui.tab_to(page.get_by_label("Date"))
    page.get_by_label("Date").fill("2025-09-30")
    ui.type_into(page.get_by_label("Summary"), "Pooled KS2 RWM for disadvantaged pupils rose from 48% to 54%.")
    analysis = tmp_path / "ks2-disadvantaged-analysis.csv"
    analysis.write_text("year,disadvantaged_pupils,achievers,percent\n2024,100,48,48.0\n2025,100,54,54.0\n")
    ui.tab_to(page.get_by_label("File", exact=True))
    page.get_by_label("File", exact=True).set_input_files(str(analysis))
    ui.tab_to(page.get_by_label("Shows impact on outcomes"))
    page.keyboard.press("Space")
    ui.select(page.get_by_label("Impact strength"), "evidence")
    ui.press_enter_on(page.get_by_role("button", name="Save evidence"))
    assert ui.path() == f"/ragboard/judgements/{judgement.pk}/"
    assert judgement.evidence.filter(shows_impact=True).count() == 1
    assert (
        "ks2-disadvantaged-analysis" in page.locator("main").inner_text().lower()
        or "KS2 disadvantaged attainment up 6 points" in page.locator("main").inner_text()
    )

    # --- the same claim is now accepted
    claim_good()
    assert f"Saved {judgement}" in page.get_by_role("status").inner_text()
    judgement.refresh_from_db()
    assert judgement.la_grade == Grade.GOOD

    # --- and the dashboard grid shows it: the reviewer's view notes the LA's G beside its own NI …
    ui.press_enter_on(page.get_by_role("link", name="Self-evaluation", exact=True).first)
    cell = page.locator(f"td[data-cell='{PHASE}-{SET}']")
    assert cell.locator("a").inner_text() == judgement.reviewer_grade
    assert "LA: G" in cell.inner_text()
    # … and the LA's own view shows G.
    ui.select(page.get_by_label("View", exact=True), "la")
    ui.press_enter_on(page.get_by_role("button", name="Show"))
    cell = page.locator(f"td[data-cell='{PHASE}-{SET}']")
    assert cell.locator("a").inner_text() == "G"
    assert "Good" in cell.locator("a").get_attribute("aria-label")
