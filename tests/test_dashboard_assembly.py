"""Dashboard assembly without HTTP: a RAG cell's colour, the benchmark table, per-group significance and the
status lines, each worked by hand.

England throughout: disadvantaged pupils 5,000 of 10,000 (50%), other pupils 7,000 of 10,000 (70%): gap 20.
Every school is judged on 2025 alone (60 or more disadvantaged pupils, at least the 30 a single year needs).
"""

from types import SimpleNamespace

import pytest

from schools.dashboard.common import status_summary
from schools.dashboard.places import benchmark_table, group_figures
from schools.dashboard.rag import excess_words, rag_cell, rag_counts, rag_grid
from schools.gap_rows import build_row
from tests.gap_support import DIS, KS2, OTHERS, pct

OPTS = SimpleNamespace(focus=DIS, comparison=OTHERS)


ENGLAND = {(2025, KS2.code, DIS.code): pct(5_000, 10_000), (2025, KS2.code, OTHERS.code): pct(7_000, 10_000)}


def row(focus, comparison):
    """A 2025 row for a school whose disadvantaged and other pupils got ``focus`` and ``comparison``."""
    here = {(2025, KS2.code, DIS.code): focus, (2025, KS2.code, OTHERS.code): comparison}
    return build_row(KS2, DIS, OTHERS, here, ENGLAND, years=[2025])


def school(pk, name):
    return SimpleNamespace(pk=pk, name=name, urn=100_000 + pk)


# Ash: 12/60 = 20% against 54/60 = 90%: gap vs national 70 − 20 = 50. (The priority list and gap busters on
# these schools: tests/test_stored_judgements.py.)
ASH = (school(1, "Ash"), row(pct(12, 60), pct(54, 60)))
# Elm: 54/60 = 90% against 54/60: gap vs national 70 − 90 = −20 (interval about −27 to −11): above other
# pupils nationally. Within gap 0, like for like 40 ahead: no reason for challenge. A gap buster.
ELM = (school(5, "Elm"), row(pct(54, 60), pct(54, 60)))


# --------------------------------------------------------------------------- cluster RAG
def test_rag_cells_are_red_amber_green_or_none_by_the_default_rules():
    # Red: Ash's gap vs national 50 is 30 wider than England's 20 (at least 5).
    red = rag_cell(ASH[1], KS2)
    assert (red["rating"], red["letter"], red["label"]) == ("red", "R", "Red")
    assert red["excess"] == pytest.approx(30.0) and red["excess_text"] == "gap 30.0 wider than England's"
    assert red["value"] == "20.0% (12 of 60)" and red["trend"] == "No trend"
    # Amber: 47/100 = 47%, gap vs national 23, 3 wider than England's: under 5, no widening trend, not ≤ 0.
    amber = rag_cell(row(pct(47, 100), pct(60, 100)), KS2)
    assert amber["rating"] == "amber" and amber["excess_text"] == "gap 3.0 wider than England's"
    # Green: Elm's gap vs national −20 is 40 narrower than England's, with no trend yet.
    green = rag_cell(ELM[1], KS2)
    assert green["rating"] == "green" and green["excess_text"] == "gap 40.0 narrower than England's"
    # No row: no rating.
    none = rag_cell(None, KS2)
    assert (none["rating"], none["letter"], none["value"], none["excess"]) == ("none", "–", "–", None)


def test_rag_grid_has_a_cell_for_every_cluster_and_measure_even_without_figures():
    north, south = SimpleNamespace(pk=11, name="North"), SimpleNamespace(pk=12, name="South")
    grid = rag_grid([north, south], [KS2], {KS2.code: [(north, ASH[1])]})
    assert [g["cluster"].name for g in grid] == ["North", "South"]
    assert grid[0]["url"] == "/clusters/11/"
    assert [[cell["rating"] for cell in g["cells"]] for g in grid] == [["red"], ["none"]]
    assert rag_counts(grid) == {"red": 1, "amber": 0, "green": 0, "none": 1}


def test_excess_words_round_to_the_shown_place():
    assert excess_words(None) == ""
    assert excess_words(0.04) == "gap the same as England's"
    assert excess_words(-1.25) == "gap 1.2 narrower than England's"


# --------------------------------------------------------------------------- benchmarks, significance, status
def test_benchmark_table_states_each_sets_gap_with_its_sign():
    # The LA pooled: 300/1000 = 30% against 600/1000 = 60%: within gap 30 behind. Neighbours: 45/100 against
    # 70/100: gap 25 behind. England: disadvantaged 50% against other pupils' 70%: gap 20 behind.
    la_row = row(pct(300, 1000), pct(600, 1000))
    sets = [
        (
            "Statistical neighbours",
            "The ten most similar LAs",
            {(2025, KS2.code, DIS.code): pct(45, 100), (2025, KS2.code, OTHERS.code): pct(70, 100)},
        )
    ]
    table = benchmark_table(SimpleNamespace(name="Exshire"), [la_row], OPTS, sets)
    assert table["headers"] == ["Exshire (pooled)", "Statistical neighbours", "England"]
    assert table["definitions"] == ["The ten most similar LAs"]
    assert table["rows"] == [
        {
            "measure": "KS2 RWM",
            "year": 2025,
            "cells": [("30.0% (300 of 1,000)", "behind 30.0"), ("45.0%", "behind 25.0"), ("50.0%", "behind 20.0")],
        }
    ]
    assert benchmark_table(SimpleNamespace(name="Exshire"), [la_row], OPTS, []) is None


def test_per_group_significance_of_each_gap():
    national = ENGLAND
    # Fir: within gap 0 (not significant); like for like 50 − 76.7 = 26.7 ahead (interval clear of 0);
    # vs national 70 − 76.7 = 6.7 ahead, interval spans 0.
    figs = group_figures(KS2, DIS, OTHERS, pct(46, 60), pct(46, 60), national, (2025, KS2.code))
    assert (figs["within"], figs["like"], figs["vs_national"]) == pytest.approx((0.0, -26.667, -6.667), abs=1e-3)
    assert (figs["within_sig"], figs["like_sig"], figs["vs_national_sig"]) == (False, True, False)
    assert figs["comparison_name"] == OTHERS.name
    # A group with nothing to compare with (all pupils) has no gaps and no significance.
    alone = group_figures(KS2, SimpleNamespace(code="all"), None, pct(100, 120), None, national, (2025, KS2.code))
    assert alone["comparison_name"] == "–"
    assert [alone[k] for k in ("within", "like", "vs_national", "within_sig", "like_sig", "vs_national_sig")] == [
        None
    ] * 6


def test_each_year_is_as_final_as_its_least_final_figure():
    rows = [
        SimpleNamespace(year=2024, status="final"),
        SimpleNamespace(year=2024, status="provisional"),
        SimpleNamespace(year=2025, status="revised"),
        SimpleNamespace(year=2025, status="final"),
        SimpleNamespace(year=None, status="final"),
    ]
    assert status_summary(rows) == ["2023/24 results: provisional", "2024/25 results: revised"]
