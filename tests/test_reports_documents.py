"""The briefing, the school gap profile and the visit report as PDF and Word: read back with pypdf and
python-docx, checked against gap_report's figures, suppression, structure and scoping."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from tests.report_support import (
    all_pupils_add_up,
    docx_headings,
    docx_read,
    docx_tables,
    docx_text,
    pdf_is_ua,
    pdf_structure_tags,
    pdf_text,
    pdf_title,
)


@pytest.fixture(scope="module")
def la(django_db_setup, django_db_blocker):
    """The full demo LA, built once for the module and rolled back afterwards."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("generate_demo_data", schools=12, years=5, seed=3, stdout=io.StringIO())
            from schools.models import LocalAuthority

            yield LocalAuthority.objects.get(code="999")
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _client(username):
    from django.contrib.auth.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _gap_report(measure: str, year: int) -> dict:
    out = io.StringIO()
    call_command(
        "gap_report",
        level="la",
        measure=measure,
        group="disadvantaged",
        year=year,
        format="json",
        la="999",
        stdout=out,
        stderr=io.StringIO(),
    )
    rows = json.loads(out.getvalue())
    return rows[0] if rows else None


def _headline_rows(tables) -> dict[str, list[str]]:
    """The headline table's rows by measure name (the table whose header has "England's gap" and "Trend")."""
    for table in tables:
        if table[0][-1] == "Trend":
            return {row[0]: row for row in table[1:]}
    raise AssertionError("no headline table")


def test_briefing_pdf_and_docx_match_gap_report(la, db):
    from schools.models import Measure

    officer = _client("officer")
    pdf = officer.get("/reports/la/briefing.pdf?year=2025")
    docx = officer.get("/reports/la/briefing.docx?year=2025")
    assert pdf.status_code == docx.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert 'filename="demoshire-the-gaps-for-disadvantaged-pupils-202425-briefing.pdf"' in pdf["Content-Disposition"]
    text, word = pdf_text(pdf.content), docx_text(docx.content)
    for body in (text, word):
        assert "Demoshire" in body and "results year 2024/25" in body and "results year 2025" not in body
    rows = _headline_rows(docx_tables(docx.content))
    checked = 0
    for measure in Measure.objects.filter(headline=True):
        report = _gap_report(measure.code, 2025)
        name = measure.short_name or measure.name
        if report is None or report["value"] is None:
            continue  # e.g. Progress 8: not published for 2025
        row = rows[name]
        # Measure, Year, pupils, focus result, comparison result, gap here, England's gap, trend
        assert row[1] == "2024/25"
        assert int(row[2].replace(",", "")) == report["cohort"]
        assert float(row[3].rstrip("%")) == pytest.approx(report["value"], abs=0.051)
        assert float(row[4].rstrip("%")) == pytest.approx(report["comparison_value"], abs=0.051)
        assert float(row[5].replace("−", "-")) == pytest.approx(report["gap"], abs=0.051)
        # the PDF prints the same row
        assert re.search(r"\s+".join(re.escape(cell) for cell in row[1:6]), text)
        checked += 1
    assert checked >= 4


def test_briefing_pdf_is_tagged_with_title_and_headings(la, db):
    data = _client("officer").get("/reports/la/briefing.pdf").content
    assert pdf_title(data) == "Demoshire: the gaps for disadvantaged pupils, 2024/25"
    assert pdf_is_ua(data)
    tags = pdf_structure_tags(data)
    assert {"Document", "H1", "H2", "Table", "TH", "Figure"} <= tags
    text = pdf_text(data)
    for heading in (
        "Summary",
        "The headline gaps in 2024/25",
        "Over time",
        "What narrowed and why",
        "Targets",
        "What we did",
        "Gap busters",
        "How the figures are made",
    ):
        assert heading in text


def test_briefing_docx_has_real_headings_tables_and_chart_alt_text(la, db):
    data = _client("officer").get("/reports/la/briefing.docx").content
    word = docx_read(data)
    assert word.core_properties.title == "Demoshire: the gaps for disadvantaged pupils, 2024/25"
    headings = docx_headings(data)
    assert ("Heading 1", "Demoshire: the gaps for disadvantaged pupils, 2024/25") in headings
    assert ("Heading 2", "Targets") in headings and ("Heading 2", "What narrowed and why") in headings
    assert len(word.tables) >= 3
    (picture,) = word.inline_shapes
    alt = picture._inline.docPr.get("descr")
    assert alt.startswith("Line charts of the gap") and "England:" in alt


def test_a_small_cohort_is_never_printed_even_for_an_officer(la, db):
    from schools.models import Result

    head = _client("head")
    from django.contrib.auth.models import User

    school = User.objects.get(username="head").profile.school
    result = Result.objects.get(
        school=school, results_year=2025, measure__code="ks2_rwm_exp", pupil_group__code="disadvantaged"
    )
    result.cohort, result.achievers, result.value = 3, 2, 66.67
    result.save()
    all_pupils_add_up(school, result)  # all = disadvantaged + other, as in a real file
    for client in (_client("officer"), head):
        data = client.get(f"/reports/schools/{school.urn}/profile.docx?year=2025").content
        (row,) = [r for t in docx_tables(data) for r in t if r[:2] == ["KS2 RWM expected", "Disadvantaged"]]
        assert row[2:4] == ["–", "SUPP"]  # neither the 3 pupils nor their 66.7%
        assert row[4] == "SUPP2"  # other pupils hidden too: with all pupils shown they would give it away
        headline = _headline_rows(docx_tables(data))["KS2 RWM expected"]
        assert headline[2:6] == ["–", "SUPP", "SUPP2", "–"]
        text = pdf_text(client.get(f"/reports/schools/{school.urn}/profile.pdf?year=2025").content)
        assert re.search(r"KS2 RWM\s+expected\s+2024/25\s+–\s+SUPP\s+SUPP2\s+–", text)
        assert re.search(r"KS2 RWM\s+expected\s+Disadvantaged\s+–\s+SUPP\s+SUPP2", text)


def test_profile_prints_user_text_as_written(la, db):
    from django.contrib.auth.models import User

    school = User.objects.get(username="head").profile.school
    school.name = "St Mary's #1 [C of E] *Academy* _x_ $y$ @ref <b> \\ // #set"
    school.save()
    data = _client("head").get(f"/reports/schools/{school.urn}/profile.pdf").content
    assert pdf_title(data) == f"{school.name}: gap profile, 2024/25"
    assert school.name in pdf_text(data)


def test_visit_report_documents_suppress_the_stored_snapshot(la, db):
    from django.contrib.auth.models import User

    from strategy.models import VisitReport

    school = User.objects.get(username="head").profile.school
    report = VisitReport.objects.filter(school=school).first()
    report.gap_snapshot = [
        {
            "measure": "ks2_rwm_exp",
            "measure_name": "KS2 RWM expected",
            "unit": "percent",
            "higher_is_better": True,
            "group": "disadvantaged",
            "group_name": "Disadvantaged",
            "comparison": "not_disadvantaged",
            "comparison_name": "Other pupils",
            "year": 2025,
            "focus_value": 25.0,
            "focus_cohort": 4,
            "comparison_value": 71.43,
            "comparison_cohort": 21,
            "gap": 46.43,
            "previous_year": None,
            "previous_gap": None,
            "national_gap": 20.9,
        },
        {
            "measure": "ks2_rwm_exp",
            "measure_name": "KS2 RWM expected",
            "unit": "percent",
            "higher_is_better": True,
            "group": "sen_any",
            "group_name": "Any SEN",
            "comparison": "no_sen",
            "comparison_name": "No SEN",
            "year": 2025,
            "focus_value": 37.5,
            "focus_cohort": 8,
            "comparison_value": 70.59,
            "comparison_cohort": 17,
            "gap": 33.09,
            "previous_year": None,
            "previous_gap": None,
            "national_gap": 50.5,
        },
    ]
    report.purpose = "Review the #1 priority [pupil premium]"
    report.save()
    officer = _client("officer")
    for fmt in ("pdf", "docx"):
        response = officer.get(f"/strategy/visits/{report.pk}/report.{fmt}")
        assert response.status_code == 200
        text = pdf_text(response.content) if fmt == "pdf" else docx_text(response.content)
        assert "Review the #1 priority [pupil premium]" in text
        assert "25.0%" not in text and "71.4%" not in text and "+46.4" not in text
        assert "37.5%" in text and "+33.1" in text
        assert "Headteacher's acknowledgement" in text
    tables = docx_tables(officer.get(f"/strategy/visits/{report.pk}/report.docx").content)
    snapshot = tables[0]
    assert snapshot[1][3:7] == ["SUPP", "SUPP", "SUPP", "SUPP"]
    assert snapshot[2][3:7] == ["8", "37.5%", "70.6%", "+33.1"]


def test_documents_are_scoped_like_the_pages(la, db):
    from django.contrib.auth.models import User

    from schools.models import School
    from strategy.models import VisitReport

    head = _client("head")
    own = User.objects.get(username="head").profile.school
    other = School.objects.exclude(pk=own.pk).order_by("urn").first()
    other_visit = VisitReport.objects.exclude(school=own).first()
    assert head.get(f"/reports/schools/{own.urn}/profile.pdf").status_code == 200
    assert head.get(f"/reports/schools/{other.urn}/profile.pdf").status_code == 404
    assert head.get(f"/reports/schools/{other.urn}/profile.docx").status_code == 404
    assert head.get(f"/strategy/visits/{other_visit.pk}/report.pdf").status_code == 404
    assert head.get("/reports/la/briefing.pdf").status_code == 404
    officer = _client("officer")
    assert officer.get("/reports/la/briefing.odt").status_code == 404
    assert officer.get("/reports/la/briefing.pdf?year=1999").status_code == 404
    assert officer.get("/reports/la/briefing.pdf?year=abc").status_code == 404
    area = own.area
    response = officer.get(f"/reports/la/briefing.docx?area={area.pk}")
    assert response.status_code == 200 and f"{area.name}: the gaps" in docx_text(response.content)


def test_gap_briefing_command_writes_the_file(la, db, tmp_path):
    target = tmp_path / "briefing.docx"
    err = io.StringIO()
    call_command("gap_briefing", format="docx", output=str(target), year=2024, stderr=err)
    word = docx_read(target.read_bytes())
    assert word.core_properties.title == "Demoshire: the gaps for disadvantaged pupils, 2023/24"
    assert "Wrote" in err.getvalue()
    with pytest.raises(CommandError, match="No results for 2020"):
        call_command("gap_briefing", format="pdf", output=str(tmp_path / "x.pdf"), year=2020, stderr=io.StringIO())
    with pytest.raises(CommandError, match="Unknown area"):
        call_command("gap_briefing", format="pdf", output=str(tmp_path / "x.pdf"), area=999999, stderr=io.StringIO())
    assert not (tmp_path / "x.pdf").exists()


def test_briefing_ranks_the_la_among_its_statistical_neighbours(la, db):
    from schools.models import Benchmark, Measure, PupilGroup, StatisticalNeighbour

    own = _gap_report("ks2_rwm_exp", 2025)["gap"]
    measure = Measure.objects.get(code="ks2_rwm_exp")
    focus, other = PupilGroup.objects.get(code="disadvantaged"), PupilGroup.objects.get(code="not_disadvantaged")
    # The demo has its own neighbours; replace them with three whose published gaps are 10 narrower, 5 wider and
    # 10 wider than ours: we are 2nd of 4.
    StatisticalNeighbour.objects.filter(la_code="999").delete()
    Benchmark.objects.filter(kind=Benchmark.Kind.REGION).delete()  # and its region: this table is neighbours only
    for rank, (code, gap) in enumerate((("801", own - 10), ("802", own + 5), ("803", own + 10)), start=1):
        StatisticalNeighbour.objects.create(la_code="999", neighbour_code=code, rank=rank)
        Benchmark.objects.create(
            geography_code=code, kind=Benchmark.Kind.LA, results_year=2025, measure=measure, pupil_group=other, value=70
        )
        Benchmark.objects.create(
            geography_code=code,
            kind=Benchmark.Kind.LA,
            results_year=2025,
            measure=measure,
            pupil_group=focus,
            value=round(70 - gap, 2),
        )
    data = _client("officer").get("/reports/la/briefing.docx?year=2025").content
    text = docx_text(data)
    assert (
        "KS2 RWM expected: 2 of 4 (quartile 2; 1 = narrowest gap) among Demoshire and its statistical neighbours, "
        "Demoshire's gap pooled from its schools, the neighbours' as published."
    ) in text
    (table,) = [t for t in docx_tables(data) if t[0][:2] == ["Measure", "Demoshire"]]
    assert table[0] == ["Measure", "Demoshire", "Statistical neighbours (average of 3)", "England"]
    (row,) = [r for r in table if r[0] == "KS2 RWM expected"]
    assert float(row[2].replace("−", "-").lstrip("+")) == pytest.approx(own + 5 / 3, abs=0.06)


def test_briefing_says_what_the_la_did(la, db):
    from strategy.models import Action, Plan, SupportEngagement

    plan = Plan.objects.get(la=la, level=Plan.Level.LA_TEAM)
    Action.objects.filter(plan__la=la).update(completed_on=None)
    action = plan.actions.order_by("pk").first()
    action.key_action, action.completed_on = "Train every Year 6 teacher in #reading [pilot]", date(2025, 3, 14)
    action.save()
    from schools.models import School

    # The demo's one engagement ended in July 2024, before the 2024/25 school year: not counted.
    assert not SupportEngagement.objects.filter(partner_school__la=la).exclude(end_date__lt=date(2024, 9, 1))
    supporting, partner = School.objects.filter(la=la).order_by("urn")[:2]
    SupportEngagement.objects.create(
        supporting_school=supporting,
        partner_school=partner,
        leader_name="Dr A. Khan",
        leader_designation="nle",
        start_date=date(2024, 11, 4),
    )
    data = _client("officer").get("/reports/la/briefing.docx?year=2025").content
    text = docx_text(data)
    assert (
        "1 plan action has been completed since September 2024, and 1 school-to-school support engagement has run."
    ) in text
    (table,) = [t for t in docx_tables(data) if t[0] == ["Completed", "Plan", "Strand", "Action"]]
    assert table[1] == ["14 Mar 2025", plan.title, action.get_strand_display(), action.key_action]
    (support,) = [t for t in docx_tables(data) if t[0][0] == "Supporting school"]
    assert support[1:] == [[supporting.name, "Dr A. Khan (National Leader of Education (NLE))", partner.name, "Active"]]
