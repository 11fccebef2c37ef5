"""Small groups cannot be worked out, whatever route a headteacher or adviser takes to the figures.

Testshire (LA 996), KS2 RWM expected standard, (pupils, achievers); all = the sum of each partition:

                      Hill Primary (the head's)       Brook Primary (both years)
                      2023          2024
  all                 30, 20        30, 20            60, 45
  SEN support          8,  3         8,  3 (37.5%)    10,  5
  EHC plan             1,  0         1,  0             2,  1
  any SEN              9,  3         9,  3            12,  6
  no SEN              21, 17        21, 17            48, 39
  disadvantaged       10,  5        10,  5            20, 12
  not disadvantaged   20, 15        20, 15            40, 33
  FSM                  8,  4         8,  4             3,  1
  not FSM             22, 16        22, 16            57, 44
  EAL                  4,  1 (25%)   7,  3            10,  8
  first language Eng. 26, 19        23, 17            50, 37
  looked after         1,  0 (0%)    1,  0 (0%)        2,  1
  not looked after    29, 20        29, 20            58, 44
  boys / girls        15, 10 each   15, 10 each       30, 22 / 30, 23

So at Hill in 2024 the EHC-plan pupil (1) is hidden; with any SEN (9) shown, SEN support (8, 37.5%) must be
hidden too, or the EHC-plan pupil's result is 3 − 3 = 0 achievers. Across the LA 3 pupils are looked after
(1 + 2), and the LA has 11 FSM pupils of whom 3 are at Brook: a head who subtracts their own 8 finds Brook's 3.
"""

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from schools.models import Area, Cluster, LocalAuthority, Measure, PupilGroup, Result, School
from strategy.targets import evaluate, status_of
from tests.strategy_support import make_user

HILL = {
    2023: {
        "all": (30, 20),
        "sen_support": (8, 3),
        "ehcp": (1, 0),
        "sen_any": (9, 3),
        "no_sen": (21, 17),
        "disadvantaged": (10, 5),
        "not_disadvantaged": (20, 15),
        "fsm": (8, 4),
        "not_fsm": (22, 16),
        "eal": (4, 1),
        "not_eal": (26, 19),
        "cla": (1, 0),
        "not_cla": (29, 20),
        "boys": (15, 10),
        "girls": (15, 10),
    },
}
HILL[2024] = {**HILL[2023], "eal": (7, 3), "not_eal": (23, 17)}
BROOK = {
    "all": (60, 45),
    "sen_support": (10, 5),
    "ehcp": (2, 1),
    "sen_any": (12, 6),
    "no_sen": (48, 39),
    "disadvantaged": (20, 12),
    "not_disadvantaged": (40, 33),
    "fsm": (3, 1),
    "not_fsm": (57, 44),
    "eal": (10, 8),
    "not_eal": (50, 37),
    "cla": (2, 1),
    "not_cla": (58, 44),
    "boys": (30, 22),
    "girls": (30, 23),
}


@pytest.fixture
def testshire(db):
    la = LocalAuthority.objects.create(code="996", name="Testshire")
    area = Area.objects.create(la=la, name="East")
    cluster = Cluster.objects.create(la=la, area=area, name="River pyramid")
    hill = School.objects.create(urn=996001, la=la, name="Hill Primary", phase="primary", area=area, cluster=cluster)
    brook = School.objects.create(urn=996002, la=la, name="Brook Primary", phase="primary", area=area, cluster=cluster)
    measure = Measure.objects.get(code="ks2_rwm_exp")
    groups = {g.code: g for g in PupilGroup.objects.all()}
    for school, by_year in ((hill, HILL), (brook, {2023: BROOK, 2024: BROOK})):
        for year, rows in by_year.items():
            for code, (cohort, achievers) in rows.items():
                Result.objects.create(
                    school=school,
                    results_year=year,
                    measure=measure,
                    pupil_group=groups[code],
                    cohort=cohort,
                    achievers=achievers,
                    value=round(100 * achievers / cohort, 1),
                )
    head = make_user("hill-head", "Headteacher", la, school=hill)
    adviser = make_user("river-adviser", "Adviser", la, schools=[hill, brook])
    officer = make_user("la-officer", "LA officer", la)
    return dict(
        la=la, hill=hill, brook=brook, measure=measure, groups=groups, head=head, adviser=adviser, officer=officer
    )


def _client(client, user):
    client.force_login(user)
    return client


def _csv(response):
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[2]
    return [dict(zip(header, row, strict=True)) for row in rows[3:]]


# ----------------------------------------------------------------------- one school, every route
def test_headline_export_hides_sen_support_as_the_figures_export_does(testshire, client):
    c = _client(client, testshire["head"])
    headline = _csv(c.get("/schools/996001/export/headline.csv?group=sen_support&year=2024"))
    row = next(r for r in headline if r["Measure"].startswith("KS2 RWM"))
    assert "37.5" not in ",".join(row.values())
    assert "SUPP2" in row.values()
    figures = _csv(c.get("/schools/996001/export/figures-ks2_rwm_exp.csv"))
    latest = {r["Group"]: r for r in figures if r["Year"] == "2024"}
    assert latest["EHC plan"]["Value"] == "SUPP"
    assert latest["SEN support"]["Value"] == "SUPP2"
    assert float(latest["Any special educational need"]["Value"]) == pytest.approx(33.33, abs=0.01)  # 3/9


def test_chart_json_hides_sen_support(testshire, client):
    c = _client(client, testshire["head"])
    response = c.get("/schools/996001/groups/?group=sen_support&year=2024")
    chart = next(ch for ch in response.context["charts"] if ch.id == "chart-ks2_rwm_exp")
    focus = chart.figure["data"][0]
    assert focus["x"][-1] == 2024 and focus["y"][-1] is None
    assert "37.5" not in json.dumps(chart.figure["data"])


def test_gap_report_hides_sen_support(testshire):
    out = io.StringIO()
    call_command(
        "gap_report",
        "--level",
        "school",
        "--measure",
        "ks2_rwm_exp",
        "--group",
        "sen_support",
        "--year",
        "2024",
        "--format",
        "json",
        stdout=out,
        stderr=io.StringIO(),
    )
    hill = next(r for r in json.loads(out.getvalue()) if r["code"] == 996001)
    assert hill["value"] is None and hill["cohort"] is None and hill["suppressed"] is True
    out = io.StringIO()
    call_command(
        "gap_report",
        "--level",
        "school",
        "--measure",
        "ks2_rwm_exp",
        "--group",
        "sen_support",
        "--year",
        "2024",
        "--format",
        "json",
        "--unsuppressed",
        stdout=out,
        stderr=io.StringIO(),
    )
    hill = next(r for r in json.loads(out.getvalue()) if r["code"] == 996001)
    assert hill["value"] == pytest.approx(37.5)  # the LA officers' view


# ----------------------------------------------------------------------- LA column
def test_la_value_of_a_small_pooled_group_is_hidden_from_a_head(testshire, client):
    figures = _csv(_client(client, testshire["head"]).get("/schools/996001/export/figures-ks2_rwm_exp.csv"))
    latest = {r["Group"]: r for r in figures if r["Year"] == "2024"}
    assert latest["Children looked after"]["LA value"] == "SUPP"  # 3 pupils across the LA (1 here, 2 at Brook)
    # 11 FSM pupils across the LA, 8 of them here: the other 3 (at Brook, 1 achiever) would follow.
    assert latest["Eligible for free school meals (FSM)"]["LA value"] == "SUPP2"
    assert float(latest["Disadvantaged"]["LA value"]) == pytest.approx(100 * 17 / 30, abs=0.01)  # (5 + 12) / 30
    officer = _csv(_client(client, testshire["officer"]).get("/schools/996001/export/figures-ks2_rwm_exp.csv"))
    latest = {r["Group"]: r for r in officer if r["Year"] == "2024"}
    assert float(latest["Children looked after"]["LA value"]) == pytest.approx(33.33, abs=0.01)  # 1/3


def test_la_line_of_the_school_chart_is_hidden_for_a_small_pooled_group(testshire, client):
    response = _client(client, testshire["head"]).get("/schools/996001/groups/?group=cla&year=2024")
    chart = next(ch for ch in response.context["charts"] if ch.id == "chart-ks2_rwm_exp")
    la_line = chart.figure["data"][-1]
    assert la_line["name"].endswith("(Testshire)") and la_line["y"] == [None, None]


# ----------------------------------------------------------------------- targets
def _target(testshire, group, baseline_year, target_year, value, type_="reach"):
    from strategy.models import Target

    return Target.objects.create(
        la=testshire["la"],
        school=testshire["hill"],
        type=type_,
        measure=testshire["measure"],
        focus_group=testshire["groups"][group],
        baseline_year=baseline_year,
        target_year=target_year,
        target_value=value,
    )


def test_target_on_a_group_hidden_by_secondary_suppression_shows_no_figure(testshire):
    target = _target(testshire, "sen_support", 2023, 2025, 50)
    status = status_of(target, show_small_cohorts=False)
    assert status.code == "no_data"
    assert "37.5" not in status.explanation
    assert [row.quantity for row in status.rows] == [None, None, None]
    assert status_of(target, show_small_cohorts=True).latest == pytest.approx(37.5)


def test_target_baseline_of_one_pupil_is_not_named(testshire):
    target = _target(testshire, "cla", 2024, 2026, 50)
    status = status_of(target, show_small_cohorts=False)
    assert "0.0" not in status.explanation and status.baseline is None
    assert "fewer than 6 pupils" in status.explanation


def test_target_status_needs_the_small_cohort_choice(testshire):
    target = _target(testshire, "eal", 2023, 2025, 50)
    with pytest.raises(TypeError):
        status_of(target)
    with pytest.raises(TypeError):
        evaluate([target])


def test_target_page_as_head_shows_no_small_figure(testshire, client):
    target = _target(testshire, "eal", 2023, 2025, 50)  # 2023: 4 pupils, 25.0%
    page = _client(client, testshire["head"]).get(target.get_absolute_url()).content.decode()
    assert "25.0" not in page


# ----------------------------------------------------------------------- success stories
def test_story_gaps_against_a_one_pupil_group_are_not_stored(testshire, client):
    from strategy.models import SuccessStory

    c = _client(client, testshire["head"])
    groups = testshire["groups"]
    response = c.post(
        "/strategy/stories/new/",
        {
            "school": testshire["hill"].pk,
            "title": "Closing the gap",
            "measure": testshire["measure"].pk,
            "pupil_group": groups["disadvantaged"].pk,
            "comparison_group": groups["cla"].pk,
            "from_year": 2023,
            "to_year": 2024,
            "what_we_did": "Tutoring",
            "published": "on",
        },
    )
    assert response.status_code == 302
    story = SuccessStory.objects.get()
    # 0% (1 pupil) − 50%: −50 would give the looked-after pupil's result back.
    assert story.gap_before is None and story.gap_after is None
    page = c.get("/strategy/stories/published/").content.decode()
    assert "-50" not in page and "−50" not in page


# ----------------------------------------------------------------------- visit snapshots
def test_snapshot_stores_only_what_everyone_may_see(testshire, client):
    """A visit report is one document (head, governors, LA): its figures are disclosed before storing."""
    from schools.models import Benchmark
    from strategy import services

    groups = testshire["groups"]
    for year in (2023, 2024):
        for code, achievers in (("not_eal", 800), ("no_sen", 750)):
            Benchmark.objects.create(
                geography_code=Benchmark.NATIONAL_CODE,
                kind="national",
                results_year=year,
                measure=testshire["measure"],
                pupil_group=groups[code],
                cohort=1000,
                achievers=achievers,
                value=achievers / 10,
            )
    report = services.record_visit(
        adviser=testshire["adviser"],
        school=testshire["hill"],
        visit_date=date(2024, 10, 1),
        visit_type="termly",
        purpose="Gaps",
        groups=[groups["eal"], groups["sen_support"]],
    )
    rows = {row["group"]: row for row in report.gap_snapshot}
    # EAL 2024: 3 of 7 = 42.86% against first-language-English pupils nationally (80%) → gap 37.14;
    # 2023 had 4 EAL pupils (25%): hidden, so there is no gap the year before.
    assert rows["eal"]["year"] == 2024 and rows["eal"]["gap"] == pytest.approx(37.14, abs=0.01)
    assert rows["eal"]["previous_gap"] is None
    # SEN support (8 pupils, 37.5%): hidden so that the EHC-plan pupil cannot be worked out.
    sen = rows["sen_support"]
    assert (sen["focus_value"], sen["focus_marker"], sen["gap"]) == (None, "SUPP2", None)
    assert "37.5" not in str(report.gap_snapshot) and "25.0" not in str(report.gap_snapshot)
    for user in (testshire["head"], testshire["officer"]):
        page = _client(client, user).get(report.get_absolute_url()).content.decode()
        assert "+37.1" in page and "37.5" not in page and "55.0" not in page  # 2023: 80 − 25


# ----------------------------------------------------------------------- a cluster and the schools in it
def test_cluster_figure_does_not_give_away_a_hidden_school(testshire, client):
    from schools.models import Profile

    cluster = testshire["hill"].cluster
    Profile.objects.filter(user=testshire["adviser"]).update(cluster=cluster)
    c = _client(client, testshire["adviser"])
    query = "?group=fsm&measure=ks2_rwm_exp&year=2024"
    schools = {r["Name"]: r for r in _csv(c.get(f"/clusters/{cluster.pk}/export/schools.csv{query}"))}
    assert "50.0" in schools["Hill Primary"].values()  # 4/8 FSM pupils: shown
    assert "SUPP" in schools["Brook Primary"].values()  # 3 FSM pupils: hidden
    # The cluster's 11 FSM pupils (5 achieving) minus Hill's 8 (4) would give Brook's 3 (1) back.
    headline = _csv(c.get(f"/clusters/{cluster.pk}/export/headline.csv{query}"))
    row = next(r for r in headline if r["Measure"].startswith("KS2 RWM"))
    assert "45.45" not in ",".join(row.values()) and "SUPP2" in row.values()


def test_gap_report_cluster_level_does_not_give_away_a_hidden_school(testshire):
    out = io.StringIO()
    call_command(
        "gap_report",
        "--level",
        "cluster",
        "--measure",
        "ks2_rwm_exp",
        "--group",
        "fsm",
        "--year",
        "2024",
        "--format",
        "json",
        stdout=out,
        stderr=io.StringIO(),
    )
    row = json.loads(out.getvalue())[0]
    assert row["value"] is None and row["suppressed"] is True  # 11 FSM pupils − Hill's 8 shown = Brook's 3
