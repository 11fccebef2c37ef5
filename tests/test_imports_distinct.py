"""Checks made once per distinct value must give, row by row, what checking every cell gives."""

import numpy as np
import pandas as pd

from schools.imports.bounds import _national
from schools.imports.readers import parse_figures
from schools.imports.validating import _may_repeat


def test_figures_parsed_once_per_text_land_on_their_own_rows():
    cells = pd.Series(
        ["45", "SUPP", "", "45", "1,234", "x", "abc", "45%", None], index=[10, 11, 12, 13, 14, 15, 16, 17, 18]
    )
    parsed = parse_figures(cells)
    assert parsed.number.index.tolist() == cells.index.tolist()
    assert parsed.number.fillna(-1).tolist() == [45.0, -1, -1, 45.0, 1234.0, -1, -1, 45.0, -1]
    assert parsed.code.tolist() == ["", "SUPP", "", "", "", "x", "", "", ""]
    assert parsed.blank.tolist() == [False, False, True, False, False, False, False, False, True]
    assert parsed.invalid.tolist() == [False, False, False, False, False, False, True, False, False]


def test_repeated_key_is_found_and_values_that_only_compare_equal_are_not_repeats():
    key = ["target", "urn", "geography_code", "results_year"]
    repeated = pd.DataFrame(
        {
            "target": ["result"] * 3,
            "urn": [100001.0, 100002.0, 100001.0],
            "geography_code": [np.nan] * 3,
            "results_year": [2019.0] * 3,
        }
    )
    assert _may_repeat(repeated, key)
    distinct = repeated.assign(urn=[100001.0, 100002.0, 100003.0])
    assert not _may_repeat(distinct, key)


def test_national_rows_are_england_and_regions_only():
    facts = pd.DataFrame({"geography_code": ["E92000001", "E12000008", "936", np.nan, None, "E92000001"]})
    assert _national(facts).tolist() == [True, True, False, False, False, True]
