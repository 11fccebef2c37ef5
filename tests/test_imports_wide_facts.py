"""A wide DfE file's facts held once: assembled a column at a time into one frame (no frame per column
concatenated), handed over to the comparison rather than kept beside its split, and the duplicate test folding a
fact's key into one number. Same facts, same problems, same preview."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from schools.imports import preview
from schools.imports.facts import FACT_COLUMNS, RESULT, Reference
from schools.imports.planning import build_plan
from schools.imports.problems import Problem
from schools.imports.validating import _may_repeat, complete_and_validate
from schools.imports.wide_facts import WideFacts

DATA = Path(__file__).parent / "data" / "dfe"


def test_wide_facts_are_the_columns_one_after_another_in_file_order():
    wide = WideFacts()
    keep = pd.Series([True, False, True])
    wide.add(
        keep,
        measure="m1",
        group="all",
        cohort=pd.Series([30.0, 1.0, 20.0]),
        value=pd.Series([50.0, 1.0, 2.5]),
        code=pd.Series(["", "", "SUPP"]),
    )
    wide.add(
        pd.Series([False, True, True]),
        measure="m2",
        group="dis",
        cohort=pd.Series([np.nan, 5.0, 6.0]),
        value=pd.Series([1.0, 2.0, 3.0]),
        code=pd.Series(["", "", ""]),
    )
    per_row = {
        "target": np.array([RESULT, RESULT, "benchmark"], dtype=object),
        "urn": np.array([100001.0, 100002.0, np.nan]),
        "geography_code": np.array([np.nan, np.nan, "936"], dtype=object),
        "geography_name": np.array(["", "", "Surrey"], dtype=object),
        "kind": np.array(["national", "national", "la"], dtype=object),
        "row": np.array([2, 3, 4], dtype=np.int64),
    }
    facts = wide.frame(per_row, results_year=2019, status="final")
    assert sorted(facts.columns) == sorted(FACT_COLUMNS)
    assert facts["row"].tolist() == [2, 4, 3, 4]
    assert facts["measure"].tolist() == ["m1", "m1", "m2", "m2"]
    assert facts["pupil_group"].tolist() == ["all", "all", "dis", "dis"]
    assert facts["cohort"].tolist() == [30.0, 20.0, 5.0, 6.0]
    assert facts["value"].tolist() == [50.0, 2.5, 2.0, 3.0]
    assert facts["value_code"].tolist() == ["", "SUPP", "", ""]
    assert facts["urn"].tolist()[:1] == [100001.0] and np.isnan(facts["urn"].iloc[1])
    assert facts["geography_code"].tolist()[1] == "936" and facts["kind"].tolist() == ["national", "la"] * 2
    assert facts["results_year"].tolist() == [2019.0] * 4 and facts["status"].tolist() == ["final"] * 4
    assert facts["achievers"].isna().all() and facts["points"].isna().all()
    assert facts["results_year"].dtype == float and facts["row"].dtype == np.int64


def test_the_duplicate_test_folds_the_key_and_still_finds_every_duplicate():
    key = ["target", "urn", "geography_code", "results_year", "measure", "pupil_group"]
    base = {
        "target": [RESULT] * 3,
        "urn": [100001.0, 100001.0, 100002.0],
        "geography_code": [None, np.nan, None],
        "results_year": [2019.0, 2019, 2019.0],
        "measure": ["m1", "m1", "m1"],
        "pupil_group": ["all", "all", "all"],
    }
    assert _may_repeat(pd.DataFrame(base), key)  # None and NaN, 2019 and 2019.0 are the same key
    base["pupil_group"] = ["all", "dis", "all"]
    assert not _may_repeat(pd.DataFrame(base), key)


@pytest.mark.django_db
def test_a_duplicate_fact_is_still_an_error_naming_both_rows():
    facts = pd.DataFrame(
        {
            "target": [RESULT, RESULT],
            "urn": [100001.0, 100001.0],
            "geography_code": [None, None],
            "geography_name": ["", ""],
            "kind": ["", ""],
            "results_year": [2019.0, 2019.0],
            "measure": ["ks2_rwm_exp", "ks2_rwm_exp"],
            "pupil_group": ["all", "all"],
            "cohort": [30.0, 30.0],
            "achievers": [np.nan, np.nan],
            "points": [np.nan, np.nan],
            "value": [50.0, 50.0],
            "value_code": ["", ""],
            "status": ["final", "final"],
            "row": [2, 3],
        }
    )
    problems: list[Problem] = []
    complete_and_validate(facts, Reference.load(), problems, check_codes=False)
    duplicates = [p for p in problems if "Duplicate fact" in p.reason]
    assert [(p.row, "row 2" in p.reason) for p in duplicates] == [(3, True)]


@pytest.mark.django_db
def test_the_plan_keeps_the_facts_only_once_and_the_preview_its_coverage():
    path = DATA / "ks2_2018-19_936_surrey.csv"
    plan = build_plan(data=path.read_bytes(), file_name=path.name, format="auto")
    assert not plan.has_errors, plan.errors[:3]
    # Handed to the comparison: the plan holds the facts split (created, updated), not also whole.
    assert len(plan.parsed.facts) == 0
    assert len(plan.diff.results.created) + len(plan.diff.benchmarks.created) == plan.counts["created"] > 20_000
    headline = plan.parsed.layout["headline"]
    created = plan.diff.results.created
    expected = {
        int(u) for u in created.loc[(created["measure"] == headline) & (created["pupil_group"] == "all"), "urn"]
    }
    assert plan.headline_urns == expected
    coverage = preview.summary(plan)["dfe"]["coverage"]
    assert 0 < coverage["with_figures"] <= coverage["open_schools"]
