"""Officer exports that show groups below the suppression threshold say so (first row, file name) and are
written to the audit log; exports without such figures, and everyone else's, are unchanged."""

from __future__ import annotations

import csv
import io

from gapmonitor.audit import site_log
from gapmonitor.models import SensitiveExport


def _small_cohort(demo):
    from schools.models import Result

    school = demo.users["head"].profile.school
    result = Result.objects.get(
        school=school, results_year=2025, measure__code="ks2_rwm_exp", pupil_group__code="disadvantaged"
    )
    result.cohort, result.achievers, result.value = 3, 1, 33.33
    result.save()
    return school


def test_an_officers_export_with_a_small_cohort_is_labelled_and_audited(demo, role_client):
    school = _small_cohort(demo)
    url = f"/schools/{school.urn}/export/headline.csv?year=2025"
    response = role_client("officer").get(url)
    assert response.status_code == 200
    name = response["Content-Disposition"]
    assert name.endswith('-includes-unsuppressed-small-cohorts.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    warning = (
        "Sensitive: includes unsuppressed small cohorts — 1 figure rests on fewer than 6 pupils. "
        "For use inside the local authority only; do not publish or share. "
    )
    assert rows[0][0].startswith(warning + school.name)  # then the export's own title
    assert rows[1][0].startswith("Definition:") and rows[2][0] == "Measure"  # the layout below is unchanged
    (record,) = SensitiveExport.objects.all()
    assert record.user == demo.users["officer"] and record.small_cohort_figures == 1
    assert record.path == url and record.file_name in name
    assert any(entry.model == "sensitive export" and entry.who == "officer" for entry in site_log())

    xlsx = role_client("officer").get(f"/schools/{school.urn}/export/headline.xlsx?year=2025")
    assert xlsx["Content-Disposition"].endswith('-includes-unsuppressed-small-cohorts.xlsx"')
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value.startswith("Sensitive: includes unsuppressed small cohorts")
    assert SensitiveExport.objects.count() == 2


def test_a_heads_export_is_suppressed_and_not_labelled(demo, role_client):
    school = _small_cohort(demo)
    response = role_client("head").get(f"/schools/{school.urn}/export/headline.csv?year=2025")
    assert "includes-unsuppressed" not in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0].startswith(school.name)  # no warning
    assert "SUPP" in [cell for row in rows for cell in row]
    assert not SensitiveExport.objects.exists()


def test_an_officers_export_without_small_cohorts_is_unchanged(demo, role_client):
    response = role_client("officer").get("/overview/export/headline.csv")
    assert "includes-unsuppressed" not in response["Content-Disposition"]
    assert "Sensitive" not in list(csv.reader(io.StringIO(response.content.decode())))[0][0]
    assert not SensitiveExport.objects.exists()
