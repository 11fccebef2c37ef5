"""Trust: user text is escaped on every page that shows it, and exports neutralise spreadsheet formulas
(text starting = + - @ gets a leading '), while numbers — negative ones included — stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from ragboard.models import EvidenceItem, Judgement
from schools.exports import ExportTable, safe_cell, to_csv, to_xlsx
from schools.models import School
from strategy import services as strategy_services
from strategy.models import Action, Plan, VisitReport
from tests.response_support import body
from tests.trust_support import client_for, demo_for_module, form_data

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORMULAS = ['=HYPERLINK("http://evil.example","click")', "@SUM(1+1)", "+44 1632 960000", "-2+3+cmd|' /C calc'!A0"]


@pytest.fixture(scope="module")
def users(django_db_setup, django_db_blocker):
    with demo_for_module(django_db_blocker) as users:
        yield users


def assert_escaped(response):
    page = response.content.decode()
    assert response.status_code == 200
    assert XSS not in page
    assert ESCAPED in page


# --------------------------------------------------------------------------- XSS
@pytest.mark.django_db
class TestUserTextEscaped:
    def test_plan_and_action_text(self, users):
        plan = Plan.objects.get(school=users["head"].profile.school)
        head = client_for(users["head"])
        url = reverse("strategy:plan_edit", args=[plan.pk])
        assert (
            head.post(url, form_data(head.get(url).context["form"], title=f"Plan {XSS}", summary=XSS)).status_code
            == 302
        )
        action = Action.objects.filter(plan=plan).order_by("pk").first()
        url = reverse("strategy:action_edit", args=[action.pk])
        assert head.post(url, form_data(head.get(url).context["form"], key_action=f"Act {XSS}")).status_code == 302
        assert (
            head.post(
                reverse("strategy:action_update", args=[action.pk]), {"rag": "red", "note": XSS, "date": "2025-11-01"}
            ).status_code
            == 302
        )
        officer = client_for(users["officer"])
        for url in (
            reverse("strategy:plan", args=[plan.pk]),
            reverse("strategy:action", args=[action.pk]),
            reverse("strategy:plans"),
            reverse("strategy:home"),
        ):
            assert_escaped(head.get(url))
            assert_escaped(officer.get(url))  # the officer's page also shows the change history

    def test_visit_report_text(self, users):
        school = users["adviser"].profile.schools.order_by("urn").first()
        report = strategy_services.record_visit(
            adviser=users["adviser"],
            school=school,
            visit_date=date(2025, 11, 3),
            visit_type=VisitReport.VisitType.TERMLY,
            purpose=f"Purpose {XSS}",
            strengths=XSS,
            areas_for_development=XSS,
            judgements=[(f"Reading {XSS}", "red", XSS)],
        )
        for role in ("adviser", "officer"):
            assert_escaped(client_for(users[role]).get(reverse("strategy:visit", args=[report.pk])))

    def test_judgement_and_evidence_text(self, users):
        judgement = Judgement.objects.filter(not_applicable=False).order_by("pk").first()
        officer = client_for(users["officer"])
        url = reverse("ragboard:judgement", args=[judgement.pk])
        assert (
            officer.post(url, form_data(officer.get(url).context["form"], rationale=XSS, strengths=XSS)).status_code
            == 302
        )
        assert_escaped(officer.get(url))
        response = officer.post(
            reverse("ragboard:evidence_new"),
            {
                "kind": EvidenceItem.Kind.DATA,
                "title": f"Evidence {XSS}",
                "date": "2025-03-01",
                "summary": XSS,
                "link": "https://intranet.example.org/x",
                "impact_strength": "",
            },
        )
        assert response.status_code == 302
        item = EvidenceItem.objects.get(title=f"Evidence {XSS}")
        assert_escaped(officer.get(reverse("ragboard:evidence_detail", args=[item.pk])))
        assert_escaped(officer.get(reverse("ragboard:evidence")))

    def test_imported_school_name(self, users):
        school = users["head"].profile.school
        School.objects.filter(pk=school.pk).update(name=f"St Mallory {XSS}")
        head = client_for(users["head"])
        assert_escaped(head.get(reverse("schools:school", args=[school.urn])))
        assert_escaped(client_for(users["officer"]).get(reverse("schools:school_list")))


# --------------------------------------------------------------------------- formula injection
def test_safe_cell_neutralises_text_only():
    assert [safe_cell(v) for v in FORMULAS] == ["'" + v for v in FORMULAS]
    assert safe_cell("\tcmd") == "'\tcmd" and safe_cell("\r=1") == "'\r=1"
    # Numbers, negative ones included, are never altered; Decimal becomes float for the spreadsheet.
    assert (safe_cell(-3.5), safe_cell(-2), safe_cell(Decimal("-1.25")), safe_cell(0)) == (-3.5, -2, -1.25, 0)
    assert safe_cell("Gap – 4.0 points") == "Gap – 4.0 points" and safe_cell(None) == ""


def _table():
    return ExportTable(
        title="=Title",
        columns=[("name", "School", "its name"), ("gap", "Gap", "points")],
        rows=[{"name": name, "gap": gap} for name, gap in zip(FORMULAS, (-3.5, -12, 4.25, 0), strict=True)],
    )


def test_csv_export():
    rows = list(csv.reader(io.StringIO(to_csv(_table()))))
    assert rows[0][0] == "'=Title"
    assert [r[0] for r in rows[3:]] == ["'" + v for v in FORMULAS]
    assert [r[1] for r in rows[3:]] == ["-3.5", "-12", "4.25", "0"]  # negative numbers written as numbers


def test_xlsx_export():
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(to_xlsx(_table()))).active
    body = list(sheet.iter_rows(min_row=4, values_only=False))
    assert [(c[0].value, c[0].data_type) for c in body] == [("'" + v, "s") for v in FORMULAS]
    assert [(c[1].value, c[1].data_type) for c in body] == [(-3.5, "n"), (-12, "n"), (4.25, "n"), (0, "n")]
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]  # no formula anywhere


@pytest.mark.django_db
def test_dashboard_exports_neutralise_school_names(users):
    """School names come from imported registers: the exports of real pages neutralise them."""
    from openpyxl import load_workbook

    cluster = School.objects.filter(cluster__isnull=False, phase="primary").order_by("urn").first().cluster
    primaries = School.objects.filter(cluster=cluster, phase="primary").order_by("urn")  # KS2 rows (the default)
    assert primaries.count() >= len(FORMULAS)
    for school, name in zip(primaries, FORMULAS, strict=False):
        School.objects.filter(pk=school.pk).update(name=name)
    officer = client_for(users["officer"])
    found_negative = False
    for fmt in ("csv", "xlsx"):
        for url in (
            reverse("schools:cluster_export", args=[cluster.pk, "schools", fmt]),
            reverse("schools:school_export", args=[School.objects.get(name=FORMULAS[0]).urn, "headline", fmt]),
            reverse("schools:la_overview_export", args=["areas", fmt]),
            reverse("schools:priority_export", args=["priority", fmt]),
        ):
            response = officer.get(url)
            assert response.status_code == 200, url
            if fmt == "csv":
                cells = [c for row in csv.reader(io.StringIO(body(response).decode())) for c in row]
                kinds = [(c, "s") for c in cells]
            else:
                sheet = load_workbook(io.BytesIO(response.content)).active
                kinds = [(c.value, c.data_type) for row in sheet.iter_rows() for c in row if c.value is not None]
            for value, kind in kinds:
                if kind == "n":
                    found_negative |= value < 0
                    continue
                assert kind == "s", (url, value, kind)  # never a formula
                text = str(value)
                if text and text[0] in "=+-@":
                    float(text)  # only a number written as text (CSV) may start so; anything else fails here
            if "cluster" in url:
                names = {str(v) for v, _k in kinds}
                assert {"'" + n for n in FORMULAS} <= names, url
    assert found_negative  # negative gaps stay numbers in the XLSX (the demo seeded 3 has some)
