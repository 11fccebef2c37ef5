"""Reference data loaded by migrations into every database: key stages, measures,
pupil groups and academic years. Codes here are a stable contract (imports,
exports, the CLI and URLs use them). An LA adds its own groups in the admin."""

from .roles import Role

KEY_STAGES = [
    ("eyfs", "Early years foundation stage", 10),
    ("phonics", "Phonics screening check (Year 1)", 20),
    ("ks1", "Key stage 1", 30),
    ("ks2", "Key stage 2", 40),
    ("ks4", "Key stage 4", 50),
    ("ks5", "Key stage 5", 60),
    ("attendance", "Attendance and behaviour", 70),
]

# code, name, short name, key stage, unit, higher_is_better, first_year, last_year, headline, value_added
MEASURES = [
    ("eyfs_gld", "EYFS: good level of development", "EYFS GLD", "eyfs", "percent", True, 2013, None, True, False),
    (
        "phonics_y1",
        "Phonics: Year 1 expected standard",
        "Phonics Y1",
        "phonics",
        "percent",
        True,
        2012,
        None,
        False,
        False,
    ),
    (
        "ks2_rwm_exp",
        "KS2 reading, writing and maths: expected standard",
        "KS2 RWM expected",
        "ks2",
        "percent",
        True,
        2016,
        None,
        True,
        False,
    ),
    (
        "ks2_rwm_high",
        "KS2 reading, writing and maths: higher standard",
        "KS2 RWM higher",
        "ks2",
        "percent",
        True,
        2016,
        None,
        False,
        False,
    ),
    (
        "ks2_read_exp",
        "KS2 reading: expected standard",
        "KS2 reading expected",
        "ks2",
        "percent",
        True,
        2016,
        None,
        False,
        False,
    ),
    ("ks2_read_high", "KS2 reading: high score", "KS2 reading high", "ks2", "percent", True, 2016, None, False, False),
    (
        "ks2_writ_exp",
        "KS2 writing (teacher assessment): expected standard",
        "KS2 writing expected",
        "ks2",
        "percent",
        True,
        2016,
        None,
        False,
        False,
    ),
    (
        "ks2_writ_high",
        "KS2 writing (teacher assessment): greater depth",
        "KS2 writing greater depth",
        "ks2",
        "percent",
        True,
        2016,
        None,
        False,
        False,
    ),
    (
        "ks2_mat_exp",
        "KS2 maths: expected standard",
        "KS2 maths expected",
        "ks2",
        "percent",
        True,
        2016,
        None,
        False,
        False,
    ),
    ("ks2_mat_high", "KS2 maths: high score", "KS2 maths high", "ks2", "percent", True, 2016, None, False, False),
    (
        "ks2_gps_exp",
        "KS2 grammar, punctuation and spelling: expected standard",
        "KS2 GPS expected",
        "ks2",
        "percent",
        True,
        2016,
        None,
        False,
        False,
    ),
    (
        "ks2_gps_high",
        "KS2 grammar, punctuation and spelling: high score",
        "KS2 GPS high",
        "ks2",
        "percent",
        True,
        2016,
        None,
        False,
        False,
    ),
    (
        "ks2_read_avg",
        "KS2 reading: average scaled score",
        "KS2 reading score",
        "ks2",
        "average",
        True,
        2016,
        None,
        False,
        False,
    ),
    (
        "ks2_mat_avg",
        "KS2 maths: average scaled score",
        "KS2 maths score",
        "ks2",
        "average",
        True,
        2016,
        None,
        False,
        False,
    ),
    (
        "ks2_gps_avg",
        "KS2 grammar, punctuation and spelling: average scaled score",
        "KS2 GPS score",
        "ks2",
        "average",
        True,
        2016,
        None,
        False,
        False,
    ),
    (
        "ks2_read_prog",
        "KS2 reading progress score",
        "KS2 reading progress",
        "ks2",
        "average",
        True,
        2016,
        2023,
        False,
        True,
    ),
    (
        "ks2_writ_prog",
        "KS2 writing progress score",
        "KS2 writing progress",
        "ks2",
        "average",
        True,
        2016,
        2023,
        False,
        True,
    ),
    ("ks2_mat_prog", "KS2 maths progress score", "KS2 maths progress", "ks2", "average", True, 2016, 2023, False, True),
    ("ks4_att8", "KS4 Attainment 8: average score", "Attainment 8", "ks4", "average", True, 2016, None, True, False),
    ("ks4_p8", "KS4 Progress 8: average score", "Progress 8", "ks4", "average", True, 2016, 2024, True, True),
    (
        "ks4_em_95",
        "KS4 English and maths: grade 5 or above",
        "E&M grade 5+",
        "ks4",
        "percent",
        True,
        2017,
        None,
        True,
        False,
    ),
    (
        "ks4_em_94",
        "KS4 English and maths: grade 4 or above",
        "E&M grade 4+",
        "ks4",
        "percent",
        True,
        2017,
        None,
        False,
        False,
    ),
    ("ks4_ebacc_aps", "KS4 EBacc: average point score", "EBacc APS", "ks4", "average", True, 2018, None, False, False),
    ("ks4_ebacc_entry", "KS4 EBacc: pupils entered", "EBacc entry", "ks4", "percent", True, 2016, None, False, False),
    # The DfE's 3-year figures (this results year and the two before, pooled): for schools too small for one
    # year's figure to mean much. Stored under the last of the three years.
    (
        "ks2_rwm_exp_3yr",
        "KS2 RWM expected standard: 3 years to this year",
        "KS2 RWM expected (3 years)",
        "ks2",
        "percent",
        True,
        2018,
        None,
        False,
        False,
    ),
    (
        "ks2_rwm_high_3yr",
        "KS2 RWM higher standard: 3 years to this year",
        "KS2 RWM higher (3 years)",
        "ks2",
        "percent",
        True,
        2018,
        None,
        False,
        False,
    ),
    (
        "ks2_read_avg_3yr",
        "KS2 reading average scaled score: 3 years to this year",
        "KS2 reading score (3 years)",
        "ks2",
        "average",
        True,
        2018,
        None,
        False,
        False,
    ),
    (
        "ks2_mat_avg_3yr",
        "KS2 maths average scaled score: 3 years to this year",
        "KS2 maths score (3 years)",
        "ks2",
        "average",
        True,
        2018,
        None,
        False,
        False,
    ),
    (
        "persistent_absence",
        "Persistent absence (10% or more of sessions missed)",
        "Persistent absence",
        "attendance",
        "percent",
        False,
        2006,
        None,
        True,
        False,
    ),
    (
        "suspension_rate",
        "Suspensions per 100 pupils",
        "Suspension rate",
        "attendance",
        "rate",
        False,
        2006,
        None,
        False,
        False,
    ),
    # Historical measures used in the source documents (docs/sources.md).
    ("ks2_l4_em", "KS2 level 4+ in English and maths", "KS2 L4+ E&M", "ks2", "percent", True, 1996, 2012, False, False),
    (
        "ks2_l4_rwm",
        "KS2 level 4+ in reading, writing and maths",
        "KS2 L4+ RWM",
        "ks2",
        "percent",
        True,
        2012,
        2015,
        False,
        False,
    ),
    (
        "ks2_2lp_eng",
        "KS2 two levels of progress in English (KS1 to KS2)",
        "KS2 2LP English",
        "ks2",
        "percent",
        True,
        2000,
        2015,
        False,
        False,
    ),
    (
        "ks2_2lp_mat",
        "KS2 two levels of progress in maths (KS1 to KS2)",
        "KS2 2LP maths",
        "ks2",
        "percent",
        True,
        2000,
        2015,
        False,
        False,
    ),
    (
        "ks4_5acem",
        "KS4 5+ A*–C GCSEs including English and maths",
        "5+ A*–C incl. E&M",
        "ks4",
        "percent",
        True,
        1996,
        2015,
        False,
        False,
    ),
    (
        "ks4_3lp_eng",
        "KS4 three levels of progress in English (KS2 to KS4)",
        "KS4 3LP English",
        "ks4",
        "percent",
        True,
        2006,
        2015,
        False,
        False,
    ),
    (
        "ks4_3lp_mat",
        "KS4 three levels of progress in maths (KS2 to KS4)",
        "KS4 3LP maths",
        "ks4",
        "percent",
        True,
        2006,
        2015,
        False,
        False,
    ),
]

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

# Years with no KS2/KS4 results published (the pandemic years).
UNPUBLISHED_YEARS = {2020, 2021}
# Measures the DfE did publish in some of those years: suspensions for 2019/20 and 2020/21, persistent
# absence for 2020/21 (2019/20 covered only the autumn and spring terms).
PUBLISHED_IN_PANDEMIC = {"persistent_absence": {2021}, "suspension_rate": {2020, 2021}}
FIRST_YEAR, LAST_YEAR = 2005, 2030


def load(apps, schema_editor=None):
    """Create or update every reference row (safe to run again)."""
    KeyStage = apps.get_model("schools", "KeyStage")
    Measure = apps.get_model("schools", "Measure")
    PupilGroup = apps.get_model("schools", "PupilGroup")
    AcademicYear = apps.get_model("schools", "AcademicYear")

    stages = {}
    for code, name, order in KEY_STAGES:
        stages[code], _ = KeyStage.objects.update_or_create(code=code, defaults={"name": name, "order": order})

    for order, (code, name, short, stage, unit, hib, first, last, headline, va) in enumerate(MEASURES):
        Measure.objects.update_or_create(
            code=code,
            defaults=dict(
                name=name,
                short_name=short,
                key_stage=stages[stage],
                unit=unit,
                higher_is_better=hib,
                first_year=first,
                last_year=last,
                headline=headline,
                value_added=va,
                order=order * 10,
            ),
        )

    groups = {}
    for order, (code, name, category, _comparison, focus) in enumerate(PUPIL_GROUPS):
        groups[code], _ = PupilGroup.objects.update_or_create(
            code=code, defaults=dict(name=name, category=category, is_focus=focus, order=order * 10)
        )
    for code, _name, _category, comparison, _focus in PUPIL_GROUPS:
        if comparison:
            PupilGroup.objects.filter(code=code).update(comparison=groups[comparison])

    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        AcademicYear.objects.update_or_create(
            results_year=year,
            defaults=dict(label=f"{year - 1}/{str(year)[-2:]}", results_published=year not in UNPUBLISHED_YEARS),
        )


def load_series_breaks(apps, schema_editor=None):
    """Record each measure's series breaks (safe to run again; an LA's own edits to other measures stay)."""
    Measure = apps.get_model("schools", "Measure")
    for code, breaks in SERIES_BREAKS.items():
        Measure.objects.filter(code=code).update(series_breaks=[{"year": year, "note": note} for year, note in breaks])


def load_role_groups(apps, schema_editor=None):
    Group = apps.get_model("auth", "Group")
    for role in Role.values:
        Group.objects.get_or_create(name=role)
