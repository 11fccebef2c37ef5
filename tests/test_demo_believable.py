"""The demo LA an LA officer would believe: England's published figures, unique names, Ofsted under the
rules of each date, statuses that match the calendar, no other LA's names."""

import csv
import re
from datetime import date
from pathlib import Path

from django.apps import apps
from django.db import models

from schools import demo as demo_module
from schools.figures import national_figures
from schools.models import (
    OVERALL_GRADES_END,
    REPORT_CARDS_START,
    Benchmark,
    OfstedInspection,
    OfstedJudgement,
    Result,
    School,
)

REPO = Path(__file__).resolve().parent.parent
# England rows of the DfE's LAIT gap measures (lait_gap_measures.csv), kept in the repository.
FIXTURE = REPO / "fixtures" / "england_gap_measures.csv"
# English LA numbers and names (the DfE's LA code list, LA rows only: England and the regions left out).
LA_NAMES = Path(__file__).resolve().parent / "data" / "la_names.csv"
COMMON_WORDS = {"Reading"}  # an LA's name that is also the subject ("Reading and writing…")


def _fixture() -> dict:
    with open(FIXTURE, newline="", encoding="utf-8") as handle:
        return {
            (int(r["results_year"]), r["measure"], r["pupil_group"]): float(r["value"]) for r in csv.DictReader(handle)
        }


def test_fixture_holds_englands_published_ks2_figures():
    """Read off the LAIT file by hand: England KS2 RWM expected standard, disadvantaged / other pupils."""
    published = _fixture()
    assert (
        published[(2016, "ks2_rwm_exp", "disadvantaged")],
        published[(2016, "ks2_rwm_exp", "not_disadvantaged")],
    ) == (39, 61)
    assert (
        published[(2019, "ks2_rwm_exp", "disadvantaged")],
        published[(2019, "ks2_rwm_exp", "not_disadvantaged")],
    ) == (51, 72)
    assert (
        published[(2025, "ks2_rwm_exp", "disadvantaged")],
        published[(2025, "ks2_rwm_exp", "not_disadvantaged")],
    ) == (48, 70)
    assert (2020, "ks2_rwm_exp", "disadvantaged") not in published  # no KS2 results in 2020 and 2021
    assert demo_module.england_figures() == published


def test_results_status_follows_the_dfe_timetable():
    status, today = demo_module.results_status, date(2026, 11, 30)
    assert status("ks2_rwm_exp", 2025, today) == "final"
    assert status("ks4_att8", 2025, today) == "final"
    assert status("ks2_rwm_exp", 2026, today) == "provisional"  # revised with December's tables
    assert status("ks2_rwm_exp", 2026, date(2026, 12, 15)) == "revised"
    assert status("ks4_att8", 2026, today) == "provisional"  # revised in February
    assert status("ks4_att8", 2026, date(2027, 2, 10)) == "revised"
    assert status("ks4_att8", 2026, date(2027, 9, 1)) == "final"
    assert status("eyfs_gld", 2026, today) == "final"  # one release


def test_names_unique_even_in_a_large_demo(db):
    context = demo_module.generate(schools=150, years=1, measure_codes=[], with_users=False)
    names = [s.name for s in context.schools]
    assert len(names) == 150 and len(set(names)) == 150


def _text_values() -> list[str]:
    """Every text the demo wrote into the schools, strategy and ragboard apps (framework wording excluded:
    it is the published framework, loaded from fixtures, not the demo)."""
    skip = {
        "qualitystandard",
        "criterion",
        "framework",
        "strand",
        "standard",
        "indicator",
        "measure",
        "pupilgroup",
        "keystage",
        "academicyear",
    }
    values = []
    for label in ("schools", "strategy", "ragboard"):
        for model in apps.get_app_config(label).get_models():
            name = model._meta.model_name
            if name in skip or name.startswith("historical") or any(s in name for s in ("framework", "criteri")):
                continue
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, (models.CharField, models.TextField)) and not f.choices
            ]
            for row in model.objects.values_list(*fields) if fields else []:
                values += [v for v in row if v]
    return values


def test_demo_is_believable(demo_full):
    la = demo_full
    schools = list(School.objects.filter(la=la))

    # Unique names.
    assert len({s.name for s in schools}) == len(schools)

    # England's published KS2 RWM figures, every year the demo and LAIT both have.
    published = _fixture()
    years = sorted(set(Result.objects.filter(school__la=la).values_list("results_year", flat=True)))
    assert years == [2019, 2022, 2023, 2024, 2025]
    for year in years:
        for group in ("disadvantaged", "not_disadvantaged"):
            national = Benchmark.objects.get(
                geography_code=Benchmark.NATIONAL_CODE,
                results_year=year,
                measure__code="ks2_rwm_exp",
                pupil_group__code=group,
            )
            assert round(national.computed_value, 1) == published[(year, "ks2_rwm_exp", group)], (year, group)

    figures = national_figures(measures=["ks2_rwm_exp"], groups=["disadvantaged"], years=[2025])
    assert round(figures[(2025, "ks2_rwm_exp", "disadvantaged")].value, 6) == 48.0  # as the pages read it
    # The rest of the pool is fitted to those figures: all-pupil GLD near England's (about 68%), not 62.8%.
    gld = Benchmark.objects.get(
        geography_code=Benchmark.NATIONAL_CODE, results_year=2025, measure__code="eyfs_gld", pupil_group__code="all"
    )
    assert 64 <= gld.computed_value <= 72

    # Statuses that match the calendar: by November 2026 every 2025 result is final.
    assert not Result.objects.filter(school__la=la, results_year=2025).exclude(status="final").exists()

    # Ofsted under the rules of each date.
    inspections = list(OfstedInspection.objects.filter(school__la=la).prefetch_related("judgements"))
    assert inspections
    for inspection in inspections:
        inspection.full_clean()
        for judgement in inspection.judgements.all():
            judgement.full_clean()
        if inspection.inspection_date >= OVERALL_GRADES_END:
            assert inspection.grade == ""
        if inspection.framework == OfstedInspection.Framework.REPORT_CARD:
            assert inspection.inspection_date >= REPORT_CARDS_START
            areas = {j.area for j in inspection.judgements.all()}
            assert OfstedJudgement.Area.SAFEGUARDING in areas and OfstedJudgement.Area.INCLUSION in areas
    assert any(i.framework == OfstedInspection.Framework.REPORT_CARD for i in inspections)

    # No other LA's names anywhere in the demo's text.
    with open(LA_NAMES, newline="", encoding="utf-8") as handle:
        la_names = [row["la_name"] for row in csv.DictReader(handle) if row["la_name"] not in COMMON_WORDS]
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in la_names) + r")\b")
    found = sorted({(m.group(0), text[:80]) for text in _text_values() for m in [pattern.search(text)] if m})
    assert found == [], found
