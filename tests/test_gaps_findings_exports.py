"""Findings in words and the export helper."""

import csv
import io

import pytest
from openpyxl import load_workbook

from schools import exports
from schools.findings import findings_for, trend_finding
from schools.gap_rows import build_row
from schools.gaps import Comparator
from tests.gap_support import DIS, OTHERS, pct, percent_measure

MEASURE = percent_measure("ks2_rwm_exp", "KS2 reading, writing and maths: expected standard", "KS2 RWM expected")


def row_for(n):
    """Disadvantaged 50% → 56% (+6), others 72% → 74% (+2) from 2022 to 2024: gap 22 → 18 (−4)."""
    here = {
        (2022, "ks2_rwm_exp", "disadvantaged"): pct(50 * n // 100, n),
        (2022, "ks2_rwm_exp", "not_disadvantaged"): pct(72 * n // 100, n),
        (2024, "ks2_rwm_exp", "disadvantaged"): pct(56 * n // 100, n),
        (2024, "ks2_rwm_exp", "not_disadvantaged"): pct(74 * n // 100, n),
    }
    return build_row(MEASURE, DIS, OTHERS, here, {}, years=[2022, 2023, 2024], kind=Comparator.WITHIN)


def test_trend_finding_in_words():
    finding = trend_finding(row_for(10_000))
    assert finding.text == (
        "Disadvantaged pupils' KS2 RWM expected rose 6 percentage points since 2021/22 while other pupils' rose "
        "2 percentage points: the gap narrowed by 4 percentage points, to 18 (disadvantaged pupils: 5,000 of "
        "10,000 in 2021/22; 5,600 of 10,000 in 2023/24)."
    )
    # 10,000 pupils per group: each Wilson half-width ≈ 0.9–1.0 points, √(Σ squares) ≈ 1.9 < 4 → significant.
    assert finding.significant is True


def test_significant_only_hides_changes_within_the_margin():
    # 50 pupils per group: half-widths ≈ 12–14 points each, √(Σ squares) ≈ 26 > 4 → not significant.
    small = row_for(50)
    assert trend_finding(small).significant is False
    assert any(f.kind == "trend" for f in findings_for([small]))
    assert not any(f.kind == "trend" for f in findings_for([small], significant_only=True))


def test_safe_cell_neutralises_formulas_but_not_numbers():
    assert exports.safe_cell("=1+2") == "'=1+2"
    assert exports.safe_cell("+44 1234") == "'+44 1234"
    assert exports.safe_cell("-cmd") == "'-cmd"
    assert exports.safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert exports.safe_cell("\tx") == "'\tx"
    assert exports.safe_cell(-2.5) == -2.5 and exports.safe_cell(7) == 7
    assert exports.safe_cell("SUPP") == "SUPP" and exports.safe_cell(None) == ""


def test_export_layout_csv_and_xlsx():
    table = exports.ExportTable(
        title="Test",
        columns=[("name", "School", "The school"), ("value", "Value", "Percent reaching it")],
        rows=[{"name": "=cmd()", "value": 41.5}, {"name": "Small", "value": "SUPP"}],
    )
    rows = list(csv.reader(io.StringIO(exports.to_csv(table))))
    assert rows[0][0] == "Test" and rows[1] == ["Definition: The school", "Definition: Percent reaching it"]
    assert rows[2] == ["School", "Value"] and rows[3] == ["'=cmd()", "41.5"] and rows[4] == ["Small", "SUPP"]
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(table))).active
    assert sheet["B4"].value == 41.5 and sheet["B4"].data_type == "n"  # a number, not text
    assert sheet["A4"].value == "'=cmd()" and sheet["A4"].data_type == "s"  # text, not a formula
    assert sheet["B5"].value == "SUPP"
    with pytest.raises(ValueError):
        exports.export_response(table, "pdf", "x")
