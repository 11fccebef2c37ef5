"""The export row the BI feed and ``gap_report`` share (``schools.gap_export``), from a gap row built by hand."""

from types import SimpleNamespace

from schools.gap_export import export_row
from schools.gap_rows import build_row
from schools.gaps import SUPPRESSED, Comparator, Figure

MEASURE = SimpleNamespace(code="ks2_rwm_exp", name="KS2 RWM expected", unit="percent", higher_is_better=True)
OTHERS = SimpleNamespace(code="not_disadvantaged", name="Not disadvantaged")
DIS = SimpleNamespace(code="disadvantaged", name="Disadvantaged", comparison=OTHERS)
SCHOOL = SimpleNamespace(name="Acorn Primary", urn=100001, pk=7)


def test_cohort_is_the_pupils_the_value_is_pooled_over():
    # 30 disadvantaged pupils, but one school's 10 have no published value: 11 of the other 20 = 55%.
    # Others 56 of 80 = 70%. Gap 70 − 55 = 15 points (positive: the focus group behind).
    here = {
        (2024, "ks2_rwm_exp", "disadvantaged"): Figure(
            cohort=30, numerator=11, value=55.0, status="provisional", value_cohort=20
        ),
        (2024, "ks2_rwm_exp", "not_disadvantaged"): Figure(cohort=80, numerator=56, value=70.0),
    }
    row = build_row(MEASURE, DIS, OTHERS, here, {}, years=[2024], kind=Comparator.WITHIN)
    out = export_row("school", SCHOOL, row)
    assert out["code"] == 100001 and out["year"] == 2024
    assert (out["measure"], out["group"], out["comparison_group"]) == ("ks2_rwm_exp", "disadvantaged", OTHERS.code)
    assert (out["cohort"], out["value"]) == (20, 55.0)
    assert (out["comparison_cohort"], out["comparison_value"]) == (80, 70.0)
    assert out["gap"] == 15.0 and out["gap_vs_national"] is None and out["trend"] is None
    assert out["suppressed"] is False and out["data_status"] == "provisional"


def test_a_suppressed_figure_gives_no_cohort_and_areas_are_named_by_id():
    here = {
        (2024, "ks2_rwm_exp", "disadvantaged"): Figure(cohort=None, numerator=None, value=None, code=SUPPRESSED),
        (2024, "ks2_rwm_exp", "not_disadvantaged"): Figure(cohort=80, numerator=56, value=70.0),
    }
    row = build_row(MEASURE, DIS, OTHERS, here, {}, years=[2024])
    out = export_row("area", SimpleNamespace(name="North", pk=3), row)
    assert out["code"] == 3 and out["suppressed"] is True
    assert out["cohort"] is None and out["value"] is None and out["gap"] is None
