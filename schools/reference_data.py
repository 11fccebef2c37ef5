"""Reference data every database holds: key stages, measures (with their series breaks), pupil groups (with
their comparison groups) and academic years. Codes here are a stable contract (imports, exports, the CLI and
URLs use them). An LA adds its own groups in the admin.

``schools.reference_sync.sync_reference_data`` writes this into the database, after every ``migrate`` and
before the demo, so an edit here reaches new and old databases alike."""

import csv
from pathlib import Path

KEY_STAGES = [
    ("eyfs", "Early years foundation stage", 10),
    ("phonics", "Phonics screening check (Year 1)", 20),
    ("ks1", "Key stage 1", 30),
    ("ks2", "Key stage 2", 40),
    ("ks4", "Key stage 4", 50),
    ("ks5", "Key stage 5", 60),
    ("attendance", "Attendance and behaviour", 70),
]

# The measures: one row each in fixtures/measures.csv (code, name, short name, key stage, unit,
# higher_is_better, first_year, last_year, headline, value_added; yes/no for the flags, a blank last_year for a
# measure still published). Measures ending ``_3yr`` are the DfE's 3-year figures (this results year and the two
# before, pooled), for schools too small for one year's figure to mean much, stored under the last of the three
# years; the historical measures are those the source documents use (docs/sources.md).
MEASURES_CSV = Path(__file__).resolve().parent.parent / "fixtures" / "measures.csv"


def _measure(row: dict[str, str]) -> tuple:
    def year(text: str) -> int | None:
        return int(text) if text else None

    def flag(text: str) -> bool:
        if text not in ("yes", "no"):
            raise ValueError(f"{MEASURES_CSV.name}: measure {row['code']!r}: expected yes or no, got {text!r}")
        return text == "yes"

    return (
        row["code"],
        row["name"],
        row["short_name"],
        row["key_stage"],
        row["unit"],
        flag(row["higher_is_better"]),
        year(row["first_year"]),
        year(row["last_year"]),
        flag(row["headline"]),
        flag(row["value_added"]),
    )


with MEASURES_CSV.open(newline="", encoding="utf-8") as _fh:
    MEASURES = [_measure(_row) for _row in csv.DictReader(_fh)]

# code, name, category, comparison code, is_focus
PUPIL_GROUPS = [
    ("all", "All pupils", "all", None, False),
    ("disadvantaged", "Disadvantaged", "disadvantage", "not_disadvantaged", True),
    ("not_disadvantaged", "Not disadvantaged (other pupils)", "disadvantage", "disadvantaged", False),
    ("fsm", "Eligible for free school meals (FSM)", "disadvantage", "not_fsm", True),
    ("not_fsm", "Not eligible for FSM", "disadvantage", "fsm", False),
    ("fsm6", "FSM in the last six years (Ever 6)", "disadvantage", "not_fsm6", True),
    ("not_fsm6", "Not FSM in the last six years", "disadvantage", "fsm6", False),
    ("sen_support", "SEN support", "sen", "no_sen", True),
    ("ehcp", "EHC plan", "sen", "no_sen", True),
    ("sen_any", "Any special educational need", "sen", "no_sen", True),
    ("no_sen", "No special educational need", "sen", "sen_any", False),
    ("cla", "Children looked after", "care", "not_cla", True),
    ("not_cla", "Not looked after", "care", "cla", False),
    ("cin", "Children in need", "care", "all", True),
    ("eal", "English as an additional language (EAL)", "language", "not_eal", True),
    ("not_eal", "First language English", "language", "eal", False),
    ("boys", "Boys", "gender", "girls", True),
    ("girls", "Girls", "gender", "boys", True),
    # The DfE's LAIT publishes KS2 results for all White pupils as well as for White British pupils.
    ("white", "White (all White groups)", "ethnicity", "all", True),
    ("white_british", "White British", "ethnicity", "all", True),
    ("white_other", "White other", "ethnicity", "all", True),
    ("grt", "Gypsy, Roma and Traveller", "ethnicity", "all", True),
    ("mixed", "Mixed", "ethnicity", "all", True),
    ("asian", "Asian", "ethnicity", "all", True),
    ("black", "Black", "ethnicity", "all", True),
    ("chinese", "Chinese", "ethnicity", "all", True),
    ("other_ethnic", "Other ethnic group", "ethnicity", "all", True),
    # Prior attainment (KS1 for KS2, KS2 for KS4) and mobility, as the DfE performance tables give them.
    ("prior_low", "Low prior attainment", "prior", "all", False),
    ("prior_middle", "Middle prior attainment", "prior", "all", False),
    ("prior_high", "High prior attainment", "prior", "all", False),
    ("non_mobile", "Non-mobile pupils (in the school since the start of Year 5 or Year 10)", "mobility", "all", False),
]

# Where a measure's series breaks (DfE statistical releases): the results year from which figures are
# comparable again, with the reason. A measure's first_year starts its series too.
_KS4_2017 = (
    "English and maths GCSEs graded 9–1 from 2017; Attainment 8 point scores changed "
    "(DfE, Key stage 4 performance 2017)"
)
_KS4_2022 = (
    "Exams returned in 2022 after centre- and teacher-assessed grades; the DfE says 2022 is not "
    "comparable with earlier years (DfE, Key stage 4 performance 2022)"
)
SERIES_BREAKS = {
    "eyfs_gld": [
        (
            2022,
            "EYFS profile reformed in 2021/22; the DfE says results are not comparable with earlier "
            "years (DfE, Early years foundation stage profile results 2021/22)",
        )
    ],
    "ks4_att8": [(2017, _KS4_2017), (2022, _KS4_2022)],
    "ks4_p8": [(2017, _KS4_2017), (2022, _KS4_2022)],
    "ks4_em_95": [(2022, _KS4_2022)],
    "ks4_em_94": [(2022, _KS4_2022)],
    "ks4_ebacc_aps": [(2022, _KS4_2022)],
    "persistent_absence": [
        (
            2016,
            "Persistent absence threshold lowered from 15% to 10% of sessions in 2015/16 "
            "(DfE, Pupil absence in schools in England)",
        )
    ],
}

# Results years in which the DfE published no figure for a measure (none in 2020 and 2021; no KS2 progress for
# 2023/24–2024/25, no Progress 8 for 2024/25–2025/26, whose pupils had no KS1 or KS2 results). A blank in a
# DfE file for such a year is stored as "not published" (NP), never as zero.
NOT_PUBLISHED = {
    "ks2_read_prog": (2020, 2021, 2024, 2025),
    "ks2_writ_prog": (2020, 2021, 2024, 2025),
    "ks2_mat_prog": (2020, 2021, 2024, 2025),
    "ks4_p8": (2020, 2021, 2025, 2026),
}

# Why the DfE published nothing, in words for the pages (DfE, "Key stage 2 attainment" and "Key stage 4
# performance" statistics, 2023/24 and 2024/25 editions: no progress measure without a prior-attainment baseline).
KS2_PROGRESS_GAP = (
    "the DfE published no KS2 progress scores for 2023/24 and 2024/25: those pupils had no KS1 results "
    "(KS1 assessments were cancelled in 2019/20 and 2020/21)"
)
NOT_PUBLISHED_WHY = {
    "ks2_read_prog": KS2_PROGRESS_GAP,
    "ks2_writ_prog": KS2_PROGRESS_GAP,
    "ks2_mat_prog": KS2_PROGRESS_GAP,
    "ks4_p8": (
        "the DfE publishes no Progress 8 for 2024/25 and 2025/26: those pupils had no KS2 results "
        "(KS2 tests were cancelled in 2019/20 and 2020/21)"
    ),
}
PANDEMIC_GAP = "no results were published for 2019/20 and 2020/21, when exams and assessments were cancelled"

# Years with no KS2/KS4 results published (the pandemic years).
UNPUBLISHED_YEARS = {2020, 2021}
# Measures the DfE did publish in some of those years: suspensions for 2019/20 and 2020/21, persistent
# absence for 2020/21 (2019/20 covered only the autumn and spring terms).
PUBLISHED_IN_PANDEMIC = {"persistent_absence": {2021}, "suspension_rate": {2020, 2021}}
FIRST_YEAR, LAST_YEAR = 2005, 2030
