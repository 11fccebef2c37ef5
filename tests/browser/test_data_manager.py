"""Data manager: a long-template CSV with one bad row is refused row by row and changes nothing;
the corrected file is previewed, confirmed, and the school page shows the new figure."""

import csv
import re

import pytest

pytestmark = pytest.mark.browser

MEASURE, GROUP, OTHER = "ks2_rwm_exp", "disadvantaged", "not_disadvantaged"


def result(school, year, group):
    from schools.models import Result

    return Result.objects.get(school=school, results_year=year, measure__code=MEASURE, pupil_group__code=group)


def upload(ui, path):
    page = ui.page
    ui.tab_to(page.get_by_label("File", exact=True))
    page.get_by_label("File", exact=True).set_input_files(str(path))
    ui.select(page.get_by_label("Format"), "long")
    ui.press_enter_on(page.get_by_role("button", name="Check the file"))


def test_data_manager_import_journey(ui, sign_in, tmp_path):
    from schools.models import ImportBatch, Result, School

    page = ui.page
    year = max(ui.site.years)
    # A primary school whose disadvantaged KS2 cohort is big enough to be shown to everyone.
    school = next(
        s
        for s in School.objects.filter(la=ui.site.la, phase="primary").order_by("urn")
        if result(s, year, GROUP).cohort >= 10
    )
    focus, other = result(school, year, GROUP), result(school, year, OTHER)
    new_achievers = focus.achievers + 1 if focus.achievers < focus.cohort else focus.achievers - 1
    before = {r.pk: (r.cohort, r.achievers, r.batch_id) for r in Result.objects.all()}
    batches_before = ImportBatch.objects.count()

    sign_in("data")
    assert ui.path() == "/imports/"  # a data manager's home is the import page

    # --- a file with one bad row: more achievers than pupils in row 3
    bad = tmp_path / "ks2-corrections.csv"
    bad.write_text(
        "urn,results_year,measure,pupil_group,cohort,achievers\n"
        f"{school.urn},{year},{MEASURE},{GROUP},{focus.cohort},{new_achievers}\n"
        f"{school.urn},{year},{MEASURE},{OTHER},{other.cohort},{other.cohort + 5}\n"
    )
    upload(ui, bad)
    assert re.match(r"^/imports/\d+/$", ui.path())
    errors = page.locator("table", has=page.locator("caption", has_text=re.compile(r"^Errors")))
    rows = errors.locator("tbody tr")
    assert rows.count() == 1
    cells = [c.strip() for c in rows.first.locator("td").all_inner_texts()]
    assert cells[0] == "3" and cells[1] == "achievers"
    assert float(cells[2]) == other.cohort + 5
    assert "more achievers than pupils" in cells[3].lower()
    assert "Nothing was written" in page.locator("main").inner_text()
    # The same list downloads as CSV: row, column, value, reason, level.
    problems = ui.download(page.get_by_role("link", name="Download all problems as CSV"), tmp_path)
    with problems.open(newline="", encoding="utf-8-sig") as handle:
        listed = list(csv.DictReader(handle))
    assert [(p["row"], p["column"], p["level"]) for p in listed] == [("3", "achievers", "error")]
    assert page.get_by_role("button", name="Confirm and import").count() == 0
    # Nothing changed: every figure, and the batch that wrote it, is as before.
    assert {r.pk: (r.cohort, r.achievers, r.batch_id) for r in Result.objects.all()} == before

    # --- the corrected file: preview, then confirm
    good = tmp_path / "ks2-corrections-fixed.csv"
    good.write_text(
        "urn,results_year,measure,pupil_group,cohort,achievers\n"
        f"{school.urn},{year},{MEASURE},{GROUP},{focus.cohort},{new_achievers}\n"
        f"{school.urn},{year},{MEASURE},{OTHER},{other.cohort},{other.achievers}\n"
    )
    ui.goto("/imports/")
    upload(ui, good)
    summary = page.locator("table", has=page.locator("caption", has_text="by what happens to them"))
    created, updated, unchanged, errors_count, _warnings = [
        c.strip() for c in summary.locator("tbody td").all_inner_texts()
    ]
    # The focus row changes; the other row carries the same counts (it may still be "updated" if, say,
    # its data status changes), so two rows are updated or unchanged and none created or refused.
    assert (created, errors_count) == ("0", "0")
    assert int(updated) >= 1 and int(updated) + int(unchanged) == 2
    assert "nothing has been written yet" in page.locator("main").inner_text()
    assert result(school, year, GROUP).achievers == focus.achievers  # preview only
    ui.press_enter_on(page.get_by_role("button", name="Confirm and import"))
    assert f"Imported: 0 created, {updated} updated, {unchanged} unchanged." in page.get_by_role("status").inner_text()
    assert ImportBatch.objects.count() == batches_before + 2
    assert result(school, year, GROUP).achievers == new_achievers

    # --- the school page shows the new figure: new achievers ÷ cohort, e.g. 13 ÷ 20 = 65.0%
    ui.goto(f"/schools/{school.urn}/groups/?group={GROUP}")
    headline = page.locator("table", has=page.locator("caption", has_text="Headline measures"))
    row = headline.locator("tbody tr").filter(has=page.locator("th", has_text="KS2 RWM expected"))
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert cells[0] == f"{year - 1}/{str(year)[-2:]}"  # results years read as academic years
    assert cells[1] == str(focus.cohort)
    assert cells[2] == f"{100 * new_achievers / focus.cohort:.1f}% ({new_achievers:g} of {focus.cohort})"
