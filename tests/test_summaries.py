"""The summaries' parts, without HTTP: the house style for years and dates, phase-aware measure pickers, what a
list of schools is called for each role, and the IDSR-style lines (significant first, each linking to its
evidence)."""

from datetime import date, datetime

from schools.findings import level_finding
from schools.house_style import results_year_label, uk_date
from schools.models import KeyStage, Measure, School
from schools.summaries import (
    default_measure,
    measure_choices,
    phase_measures,
    scope_phrase,
    summary_lines,
)

from .test_gaps_judgements import DIS, KS2, OTHERS, build_row, figures, pct


def test_results_years_read_as_academic_years_everywhere():
    assert results_year_label(2025) == "2024/25"
    assert results_year_label("2016") == "2015/16"
    assert results_year_label(2000) == "1999/00"
    assert results_year_label(None) == "–" and results_year_label("") == "–"
    assert results_year_label("Series break") == "Series break"  # not a year: unchanged


def test_one_date_style():
    assert uk_date(date(2027, 1, 13)) == "13 Jan 2027"
    assert uk_date(datetime(2026, 10, 7, 9, 30)) == "7 Oct 2026"  # no leading zero, no time
    assert uk_date(None, "Not set") == "Not set"


def test_templates_format_dates_in_the_house_style(settings):
    from django.template import Context, Template

    html = Template('{{ d|date }} · {{ d|date:"SHORT_DATE_FORMAT" }}').render(Context({"d": date(2027, 1, 13)}))
    assert html == "13 Jan 2027 · 13 Jan 2027"


def _measure(code, stage, *, first=None, last=None, headline=False):
    return Measure(
        code=code,
        short_name=code,
        key_stage=KeyStage(code=stage),
        unit="percent",
        first_year=first,
        last_year=last,
        headline=headline,
    )


MEASURES = [
    _measure("eyfs_gld", "eyfs", first=2013, headline=True),
    _measure("ks2_rwm_exp", "ks2", first=2016, headline=True),
    _measure("ks2_l4_rwm", "ks2", first=2012, last=2015),  # abolished levels: no data in 2018–2025
    _measure("ks4_att8", "ks4", first=2016, headline=True),
    _measure("ks4_p8", "ks4", first=2016, last=2024, headline=True),
    _measure("persistent_absence", "attendance", first=2006, headline=True),
]
YEARS = [2018, 2019, 2022, 2023, 2024, 2025]


def codes(measures):
    return [m.code for m in measures]


def test_a_primary_user_sees_primary_measures_first_and_no_measure_without_data():
    ordered = phase_measures(MEASURES, [School.Phase.PRIMARY], YEARS)
    assert codes(ordered) == ["eyfs_gld", "ks2_rwm_exp", "persistent_absence", "ks4_att8", "ks4_p8"]
    choices = measure_choices(MEASURES, [School.Phase.PRIMARY], YEARS)
    assert [label for label, _options in choices] == ["Measures for your phase", "Other measures"]
    assert [code for code, _name in choices[0][1]] == ["eyfs_gld", "ks2_rwm_exp", "persistent_absence"]
    # Where the LA has figures from 2012, the level 4 measure is offered again.
    assert "ks2_l4_rwm" in codes(phase_measures(MEASURES, [School.Phase.PRIMARY], [2012, *YEARS]))


def test_a_secondary_user_sees_ks4_first_and_opens_on_it():
    assert codes(phase_measures(MEASURES, [School.Phase.SECONDARY], YEARS))[:2] == ["ks4_att8", "ks4_p8"]
    assert default_measure(MEASURES, [School.Phase.SECONDARY], "ks2_rwm_exp") == "ks4_att8"
    assert default_measure(MEASURES, [School.Phase.PRIMARY], "ks2_rwm_exp") == "ks2_rwm_exp"
    # LA-wide roles (no phase): every measure with data, in the measures' own order, no groups.
    assert measure_choices(MEASURES, [], YEARS) == [(m, m) for m in codes(MEASURES) if m != "ks2_l4_rwm"]
    assert default_measure(MEASURES, [], "ks2_rwm_exp") == "ks2_rwm_exp"


def test_a_list_of_schools_is_named_for_what_the_user_sees():
    assert scope_phrase(la_wide=True, headteacher=False, la_name="Demoshire", count=60) == "Schools in Demoshire"
    assert scope_phrase(la_wide=False, headteacher=False, la_name="Demoshire", count=6) == "Your 6 schools"
    assert scope_phrase(la_wide=False, headteacher=True, la_name="Demoshire", count=1) == "Your school"


def test_summary_lines_lead_with_what_is_significant_and_link_to_the_evidence():
    # Large group: 300 of 1,000 disadvantaged (30%) against 7,000 of 10,000 other pupils nationally (70%): 40
    # points behind, far outside the 95% margin. Small group: 3 of 6 (50%), 20 behind: its interval spans 0.
    national = figures(KS2, {2025: (pct(5_000, 10_000), pct(7_000, 10_000))})
    big = build_row(KS2, DIS, OTHERS, figures(KS2, {2025: (pct(300, 1000), pct(650, 1000))}), national, years=[2025])
    small = build_row(KS2, DIS, OTHERS, figures(KS2, {2025: (pct(3, 6), pct(4, 6))}), national, years=[2025])
    lines = summary_lines([small, big], measure_url=lambda code: f"/evidence/{code}/")
    assert [line.significant for line in lines] == [True, False]
    assert lines[0].text == level_finding(big.for_comparator("national")).text
    assert "In 2024/25" in lines[0].text and "40 percentage points behind" in lines[0].text
    assert lines[0].url == "/evidence/ks2_rwm_exp/" and lines[0].tag == "Significant"
    assert lines[1].tag == "Not significant"
