"""Documents from the pages: an LA officer downloads the members' briefing from the LA overview, a head the
gap profile from the school page and a visit report; another school's documents are not found."""

import pytest

from tests.report_support import docx_read, pdf_structure_tags, pdf_text, pdf_title

pytestmark = [pytest.mark.browser, pytest.mark.demo_apps("strategy")]


@pytest.fixture(autouse=True)
def patient(ui):
    """A download waits for the document to be written (seconds, more on a busy machine)."""
    ui.page.set_default_timeout(90_000)


def test_officer_downloads_the_briefing_from_the_la_page(ui, sign_in, tmp_path):
    page = sign_in("officer")
    assert ui.path() == "/overview/"
    la = ui.site.la
    latest = ui.site.years[-1]
    pdf = ui.download(page.get_by_role("link", name="Download the briefing (PDF)"), tmp_path)
    assert pdf.suffix == ".pdf"
    data = pdf.read_bytes()
    assert pdf_title(data).startswith(f"{la.name}: the gaps for disadvantaged pupils")
    assert f"results year {latest - 1}/{latest % 100:02d}" in pdf_text(data)  # 2025: "2024/25"
    assert {"H1", "H2", "Table"} <= pdf_structure_tags(data)
    word = ui.download(page.get_by_role("link", name="Download the briefing (Word)"), tmp_path)
    assert word.suffix == ".docx"
    assert docx_read(word.read_bytes()).core_properties.title == pdf_title(data)


def test_head_downloads_the_school_profile_and_cannot_reach_another_schools(ui, sign_in, tmp_path):
    from schools.models import School
    from strategy.models import VisitReport

    page = sign_in("head")
    school = ui.site.users["head"].profile.school
    assert ui.path() == f"/schools/{school.urn}/"
    pdf = ui.download(page.get_by_role("link", name="Download the gap profile (PDF)"), tmp_path)
    data = pdf.read_bytes()
    assert pdf_title(data).startswith(f"{school.name}: gap profile")
    assert "SUPP" in pdf_text(data)  # the demo school has groups of fewer than 6 pupils

    visit = VisitReport.objects.filter(school=school).order_by("pk").first()
    ui.goto(f"/strategy/visits/{visit.pk}/")
    report = ui.download(page.get_by_role("link", name="Download this report (Word)"), tmp_path)
    assert docx_read(report.read_bytes()).core_properties.title.startswith(f"Visit report: {school.name}")

    other = School.objects.filter(la=ui.site.la).exclude(pk=school.pk).order_by("urn").first()
    other_visit = VisitReport.objects.exclude(school=school).first()
    for path in (f"/reports/schools/{other.urn}/profile.pdf", f"/strategy/visits/{other_visit.pk}/report.pdf"):
        with ui.expecting_console_error(r"status of 404"):
            response = ui.goto(path)
        assert response.status == 404
        assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
