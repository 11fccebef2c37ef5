"""LA officer: overview → filter group and measure → area → cluster → school → priority list →
CSV and XLSX exports (downloaded and opened) → cluster RAG board. Every step by Tab and Enter."""

import csv
import re

import openpyxl
import pytest
from django.db.models import Sum

pytestmark = pytest.mark.browser

GROUP, MEASURE = "fsm", "ks2_rwm_exp"


def row_cells(table, header: str) -> list[str]:
    """The data cells of the table row whose row header is ``header``."""
    row = table.locator("tbody tr").filter(has=table.page.locator("th", has_text=header)).first
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def pooled(schools, year, measure=MEASURE, group=GROUP):
    """Σ achievers ÷ Σ cohort over ``schools`` (a queryset), straight from the database."""
    from schools.models import Result

    totals = Result.objects.filter(
        school__in=schools, results_year=year, measure__code=measure, pupil_group__code=group
    ).aggregate(cohort=Sum("cohort"), achievers=Sum("achievers"))
    return totals["cohort"], 100 * totals["achievers"] / totals["cohort"]


def number(text: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", text.replace("−", "-")))


def test_la_officer_journey(ui, sign_in, tmp_path):
    from schools.models import Area, Cluster, School

    page = ui.page
    la = ui.site.la
    sign_in("officer")
    assert ui.path() == "/overview/"
    assert page.get_by_role("heading", level=1).inner_text() == "Demoshire overview"

    # --- filter to FSM pupils and KS2 reading, writing and maths, with the keyboard
    ui.select(page.get_by_label("Pupil group"), GROUP)
    ui.select(page.get_by_label("Measure (tables)"), MEASURE)
    ui.press_enter_on(page.get_by_role("button", name="Show"))
    assert f"group={GROUP}" in ui.path() and f"measure={MEASURE}" in ui.path()
    headline = page.locator("table", has=page.locator("caption", has_text="Headline measures"))
    assert "free school meals" in headline.locator("caption").inner_text().lower()

    # The LA's FSM figure is pooled: Σ achievers ÷ Σ pupils over every school, recomputed here.
    year = max(ui.site.years)
    cohort, value = pooled(School.objects.filter(la=la), year)
    cells = row_cells(headline, "KS2 RWM expected")
    assert cells[0] == str(year)
    assert cells[1] == str(cohort)
    assert cells[2] == f"{value:.1f}% ({round(value * cohort / 100)} of {cohort})"  # every figure with its count

    # --- drill down: the first area in the areas table
    areas = page.locator("section", has=page.get_by_role("heading", name="Areas", exact=True))
    area_link = areas.locator("tbody th a").first
    area = Area.objects.get(la=la, name=area_link.inner_text())
    ui.press_enter_on(area_link)
    assert ui.path().startswith(f"/areas/{area.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"{area.name} area"

    # --- a cluster of that area
    cluster_link = page.locator("main a[href^='/clusters/']").first
    cluster = Cluster.objects.get(la=la, name=cluster_link.inner_text())
    assert cluster.area_id == area.pk
    ui.press_enter_on(cluster_link)
    assert ui.path().startswith(f"/clusters/{cluster.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == cluster.name
    # The chosen group is carried down: the cluster's headline figure for it is pooled too.
    cohort, value = pooled(School.objects.filter(cluster=cluster), year, group=GROUP)
    headline = page.locator("table", has=page.locator("caption", has_text="Headline measures"))
    cells = row_cells(headline, "KS2 RWM expected")
    assert cells[1] == str(cohort) and cells[2] == f"{value:.1f}% ({round(value * cohort / 100)} of {cohort})"

    # --- a school of that cluster
    school_link = page.locator("main a[href^='/schools/8']").first
    school = School.objects.get(urn=int(school_link.get_attribute("href").split("/")[2]))
    assert school.cluster_id == cluster.pk
    ui.press_enter_on(school_link)
    assert ui.path().startswith(f"/schools/{school.urn}/")
    assert school.name in page.get_by_role("heading", level=1).inner_text()

    # --- the priority list, from the main navigation
    nav = page.get_by_role("navigation", name="Main")
    ui.press_enter_on(nav.get_by_role("link", name="Priority schools"))
    assert ui.path().startswith("/priority/")
    table = page.locator("table", has=page.locator("caption", has_text="Priority schools"))
    names = [text.strip() for text in table.locator("tbody tr td:nth-of-type(1)").all_inner_texts()]
    assert len(names) >= 1
    gaps_on_page = list(table.locator("tbody tr").first.locator("td").all_inner_texts())

    # --- export as CSV and as XLSX; both download and open
    csv_path = ui.download(page.get_by_role("link", name=re.compile(r"^CSV")).first, tmp_path)
    assert csv_path.suffix == ".csv"
    with csv_path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    header_index = next(i for i, row in enumerate(rows) if row and row[0] == "Rank")
    assert any("positive = focus group behind" in cell for row in rows[:header_index] for cell in row)
    data = rows[header_index + 1 :]
    assert [row[1] for row in data] == names
    name_column = rows[header_index].index("Name")
    assert data[0][name_column] == names[0]

    xlsx_path = ui.download(page.get_by_role("link", name=re.compile(r"^XLSX")).first, tmp_path)
    assert xlsx_path.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(xlsx_path, read_only=True).active
    xrows = list(sheet.iter_rows(values_only=True))
    xheader = next(i for i, row in enumerate(xrows) if row and row[0] == "Rank")
    xdata = xrows[xheader + 1 :]
    assert [row[1] for row in xdata] == names
    # Figures are numbers in the workbook, and agree with the page: pupils in group.
    pupils_column = xrows[xheader].index("Pupils in group")
    assert isinstance(xdata[0][pupils_column], int)
    assert str(xdata[0][pupils_column]) == gaps_on_page[pupils_column - 1]

    # --- the cluster RAG board
    ui.press_enter_on(nav.get_by_role("link", name="Cluster RAG board"))
    assert ui.path().startswith("/cluster-rag/")
    board = page.locator("table", has=page.locator("caption", has_text="Cluster RAG board"))
    clusters = Cluster.objects.filter(la=la).count()
    assert board.locator("tbody tr").count() == clusters
    cells = board.locator("tbody td")
    assert cells.count() == clusters * (board.locator("thead th").count() - 1)
    # Colour is never the only signal: every cell carries a letter and the rating in words.
    for text in cells.all_text_contents():
        assert re.match(r"^(R|A|G)(Red|Amber|Green)|^–", text.strip()), text
    # Cluster names link back down.
    ui.press_enter_on(board.get_by_role("link", name=cluster.name))
    assert ui.path().startswith(f"/clusters/{cluster.pk}/")


def test_priority_list_does_not_rank_small_cohorts(ui, sign_in):
    """Groups under the suppression threshold are never ranked, even for an officer who sees them."""
    from django.conf import settings

    page = ui.page
    sign_in("officer")
    ui.goto("/priority/")
    assert "are not ranked" in page.locator("main").inner_text()
    table = page.locator("table", has=page.locator("caption", has_text="Priority schools"))
    header = [t.strip() for t in table.locator("thead th").all_inner_texts()]
    pupils = next(i for i, text in enumerate(header) if text.startswith("Pupils in group"))
    cohorts = [int(row.locator("th, td").nth(pupils).inner_text()) for row in table.locator("tbody tr").all()]
    assert cohorts, "the demo has ranked schools"
    assert min(cohorts) >= settings.GAPMONITOR_SUPPRESSION_THRESHOLD, cohorts


def test_priority_export_definitions_are_filled_in(ui, sign_in, tmp_path):
    page = ui.page
    sign_in("officer")
    ui.goto("/priority/")
    path = ui.download(page.get_by_role("link", name=re.compile(r"^CSV")).first, tmp_path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    header_index = next(i for i, row in enumerate(rows) if row and row[0] == "Rank")
    definitions = " ".join(cell for row in rows[:header_index] for cell in row)
    assert "Definition:" in definitions
    assert not re.search(r"\{[a-z_]+(:[^}]*)?\}", definitions), definitions


def test_drill_down_keeps_the_chosen_group_and_measure(ui, sign_in):
    page = ui.page
    sign_in("officer")
    ui.goto(f"/overview/?group={GROUP}&measure={MEASURE}")
    ui.press_enter_on(page.locator("main tbody th a[href^='/areas/']").first)
    ui.press_enter_on(page.locator("main tbody a[href^='/clusters/']").first)
    ui.press_enter_on(page.locator("main tbody a[href^='/schools/']").first)
    assert f"group={GROUP}" in ui.path()
    assert page.get_by_label("Pupil group").input_value() == GROUP
    assert "free school meals" in page.locator("caption", has_text="Headline measures").inner_text().lower()
