"""Property: no small group can be worked out from what a headteacher or an adviser can request.

Random small schools are built pupil by pupil (so every partition adds up, as in real data). Each viewer gets
the figures the app would give them — a school's figures through ``disclose``, the LA's figures through
``disclose`` with what they can subtract (``known``: all of a head's own school; the shown school figures for
an adviser) — and an attacker then uses every linear relation between the figures: each partition within a
school (disadvantaged + other = all, SEN support + EHC plan = any SEN, …) and LA = Σ schools. A pupil count is
"worked out" when it is fixed by those relations (its unit vector lies in the row space of the relations over
the unknown counts). No count of 1 to 5 pupils — a school's group, the LA's group or the LA's group outside the
head's school — may be worked out.
"""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schools.disclosure import Seen, default_partitions, disclose, seen_through_members
from schools.gaps import Figure

THRESHOLD = 6
PREFIX = (2024, "ks2_rwm_exp")
PARTITIONS = default_partitions()

pupil = st.fixed_dictionaries(
    {
        "dis": st.booleans(),
        "fsm": st.booleans(),
        "sen": st.sampled_from([0, 0, 0, 1, 2]),
        "eal": st.booleans(),
        "cla": st.integers(0, 9).map(lambda n: n == 0),
        "boy": st.booleans(),
        "achieved": st.booleans(),
    }
)
school = st.lists(pupil, min_size=0, max_size=24)
schools = st.lists(school, min_size=2, max_size=4)

GROUPS = {
    "all": lambda p: True,
    "disadvantaged": lambda p: p["dis"],
    "not_disadvantaged": lambda p: not p["dis"],
    "fsm": lambda p: p["dis"] and p["fsm"],
    "not_fsm": lambda p: not (p["dis"] and p["fsm"]),
    "sen_support": lambda p: p["sen"] == 1,
    "ehcp": lambda p: p["sen"] == 2,
    "sen_any": lambda p: p["sen"] > 0,
    "no_sen": lambda p: p["sen"] == 0,
    "eal": lambda p: p["eal"],
    "not_eal": lambda p: not p["eal"],
    "cla": lambda p: p["cla"],
    "not_cla": lambda p: not p["cla"],
    "boys": lambda p: p["boy"],
    "girls": lambda p: not p["boy"],
}
RELATIONS = [
    (whole, [p for p in parts if p in GROUPS])
    for whole, parts in PARTITIONS
    if whole in GROUPS and any(p in GROUPS for p in parts)
]


def figure(pupils) -> Figure:
    cohort, achievers = len(pupils), sum(p["achieved"] for p in pupils)
    if not cohort:
        return Figure(cohort=0, numerator=None, value=None, code="NE")
    return Figure(cohort=cohort, numerator=achievers, value=100 * achievers / cohort)


def school_figures(pupils) -> dict:
    return {PREFIX + (code,): figure([p for p in pupils if test(p)]) for code, test in GROUPS.items()}


def la_figures(all_pupils) -> dict:
    return school_figures([p for pupils in all_pupils for p in pupils])


def determined(rows: list[dict], target: dict) -> bool:
    """Is the combination ``target`` ({unknown: coefficient}) fixed by the relations ``rows``?"""
    names = sorted({n for row in rows for n in row} | set(target))
    if not names:
        return True
    index = {n: i for i, n in enumerate(names)}

    def vector(row):
        v = np.zeros(len(names))
        for n, c in row.items():
            v[index[n]] += c
        return v

    matrix = np.array([vector(r) for r in rows]) if rows else np.zeros((0, len(names)))
    with_target = np.vstack([matrix, vector(target)])
    return np.linalg.matrix_rank(with_target) == (np.linalg.matrix_rank(matrix) if rows else 0)


def school_rows(n_schools, unknown):
    rows = []
    for s in range(n_schools):
        for whole, parts in RELATIONS:
            row = {}
            for code, coefficient in [(whole, 1)] + [(p, -1) for p in parts]:
                if unknown(s, code):
                    row[(s, code)] = row.get((s, code), 0) + coefficient
            if row:
                rows.append(row)
    return rows


def la_rows(n_schools, unknown, la_shown):
    rows = []
    for code in GROUPS:
        if la_shown[PREFIX + (code,)].suppressed:
            continue
        row = {(s, code): 1 for s in range(n_schools) if unknown(s, code)}
        if row:
            rows.append(row)
    return rows


BUDGET = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


@BUDGET
@given(schools)
def test_a_head_cannot_work_out_another_schools_small_group(all_pupils):
    n = len(all_pupils)
    true = [school_figures(p) for p in all_pupils]
    la_true = la_figures(all_pupils)
    # The head of school 0 knows their own pupils; they see the LA's figures, disclosed against that knowledge.
    la_shown = disclose(la_true, viewer_sees_small_cohorts=False, threshold=THRESHOLD, known=true[0])

    def unknown(s, code):
        return s != 0

    rows = school_rows(n, unknown) + la_rows(n, unknown, la_shown)
    for code in GROUPS:
        key = PREFIX + (code,)
        for s in range(1, n):
            if 0 < true[s][key].cohort < THRESHOLD:
                assert not determined(rows, {(s, code): 1}), (s, code)
        rest = la_true[key].cohort - true[0][key].cohort
        if 0 < rest < THRESHOLD:
            assert not determined(rows, {(s, code): 1 for s in range(1, n)}), ("rest of LA", code)
        if la_shown[key].suppressed:
            assert la_shown[key].value is None and la_shown[key].cohort is None


@BUDGET
@given(schools, st.integers(1, 4))
def test_an_adviser_cannot_work_out_a_small_group(all_pupils, assigned):
    n = len(all_pupils)
    assigned = min(assigned, n)  # the adviser sees schools 0 … assigned − 1, not the others
    true = [school_figures(p) for p in all_pupils]
    la_true = la_figures(all_pupils)
    shown = [disclose(f, viewer_sees_small_cohorts=False, threshold=THRESHOLD) for f in true]
    # The adviser sees each assigned school's disclosed figures; the LA's are disclosed against them.
    members = {(s, *key): figure for s in range(assigned) for key, figure in true[s].items()}
    seen = {(s, *key): figure for s in range(assigned) for key, figure in shown[s].items()}
    known = seen_through_members(members, seen, dict.fromkeys(range(assigned), ()))
    la_shown = disclose(la_true, viewer_sees_small_cohorts=False, threshold=THRESHOLD, known=known)

    def unknown(s, code):
        return s >= assigned or shown[s][PREFIX + (code,)].suppressed

    rows = school_rows(n, unknown) + la_rows(n, unknown, la_shown)
    for code in GROUPS:
        key = PREFIX + (code,)
        for s in range(n):
            if 0 < true[s][key].cohort < THRESHOLD:
                assert shown[s][key].suppressed, (s, code)
                assert not determined(rows, {(s, code): 1}), (s, code)
        if 0 < la_true[key].cohort < THRESHOLD:
            assert la_shown[key].suppressed, ("LA", code)
            hidden = {(s, code): 1 for s in range(n) if unknown(s, code)}
            assert hidden and not determined(rows, hidden), ("LA", code)
        rest = la_true[key].cohort - sum(true[s][key].cohort for s in range(assigned))
        if 0 < rest < THRESHOLD:
            assert not determined(rows, {(s, code): 1 for s in range(assigned, n)}), ("unassigned", code)


def test_officers_see_everything():
    pupils = [{"dis": True, "fsm": True, "sen": 2, "eal": True, "cla": True, "boy": True, "achieved": False}]
    true = school_figures(pupils)
    assert disclose(true, viewer_sees_small_cohorts=True) == true


# ----------------------------------------------------------------------- hand-worked cases
def pct(achievers, cohort):
    return Figure(cohort=cohort, numerator=achievers, value=100 * achievers / cohort)


def test_pupils_in_no_listed_group_are_protected_too():
    # All 30; White British 27 is the only ethnic group recorded: the other 3 pupils (all − 27) would follow.
    figures = {("all",): pct(20, 30), ("white_british",): pct(18, 27)}
    shown = disclose(figures, viewer_sees_small_cohorts=False, threshold=6)
    assert shown[("white_british",)].code == "SUPP2" and shown[("all",)].value is not None


def test_a_special_schools_small_no_sen_group_cannot_be_worked_out_through_any_sen():
    # 2 pupils without SEN (hidden); any SEN 40 is hidden with them, so SEN support + EHC plan must not
    # rebuild it: one of them is hidden too.
    figures = {
        ("all",): pct(10, 42),
        ("no_sen",): pct(1, 2),
        ("sen_any",): pct(9, 40),
        ("sen_support",): pct(6, 12),
        ("ehcp",): pct(3, 28),
    }
    shown = disclose(
        figures,
        viewer_sees_small_cohorts=False,
        threshold=6,
        partitions=[("all", ("no_sen", "sen_any")), ("sen_any", ("sen_support", "ehcp"))],
    )
    assert shown[("no_sen",)].code == "SUPP" and shown[("sen_any",)].code == "SUPP2"
    assert shown[("sen_support",)].code == "SUPP2" and shown[("ehcp",)].value is not None


def test_one_hidden_school_under_a_shown_total_hides_the_total():
    # An LA figure of 40 pupils; the viewer sees one school's 30 and another's (10) is hidden from them.
    la = {("cla",): pct(20, 40)}
    shown = disclose(la, viewer_sees_small_cohorts=False, threshold=6, known={("cla",): Seen(30, 1, 40)})
    assert shown[("cla",)].code == "SUPP2"
    shown = disclose(la, viewer_sees_small_cohorts=False, threshold=6, known={("cla",): Seen(30, 1, 32)})
    assert shown[("cla",)].value == 50.0  # 8 more pupils in schools the viewer never sees: 10 cannot follow
