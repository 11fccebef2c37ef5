"""gap_report CLI: the same pooled figures as the pages, JSON alone on stdout."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from schools.management.commands import gap_report
from schools.models import Area, Benchmark, Cluster, LocalAuthority, Measure, PupilGroup, Result, School


@pytest.fixture
def tiny(db):
    """One LA, one cluster, two schools; KS2 RWM 2023 and 2024, disadvantaged vs other pupils.

    2024  A: dis 1/4,  other 20/25     B: dis 30/40, other 50/60
    2023  A: dis 1/4,  other 20/25     B: dis 24/40, other 51/60
    """
    la = LocalAuthority.objects.create(code="997", name="Testshire")
    area = Area.objects.create(la=la, name="West")
    cluster = Cluster.objects.create(la=la, area=area, name="Test pyramid")
    a = School.objects.create(urn=910001, la=la, name="Alpha Primary", area=area, cluster=cluster)
    b = School.objects.create(urn=910002, la=la, name="Beta Primary", area=area, cluster=cluster)
    m = Measure.objects.get(code="ks2_rwm_exp")
    g = {c: PupilGroup.objects.get(code=c) for c in ("disadvantaged", "not_disadvantaged", "all")}
    data = {
        (a, 2024): {"disadvantaged": (4, 1), "not_disadvantaged": (25, 20)},
        (b, 2024): {"disadvantaged": (40, 30), "not_disadvantaged": (60, 50)},
        (a, 2023): {"disadvantaged": (4, 1), "not_disadvantaged": (25, 20)},
        (b, 2023): {"disadvantaged": (40, 24), "not_disadvantaged": (60, 51)},
    }
    for (school, year), groups in data.items():
        total = [0, 0]
        for code, (cohort, achievers) in groups.items():
            Result.objects.create(
                school=school,
                results_year=year,
                measure=m,
                pupil_group=g[code],
                cohort=cohort,
                achievers=achievers,
                value=round(100 * achievers / cohort),
                status="provisional" if year == 2024 else "final",
            )
            total = [total[0] + cohort, total[1] + achievers]
        Result.objects.create(
            school=school,
            results_year=year,
            measure=m,
            pupil_group=g["all"],
            cohort=total[0],
            achievers=total[1],
            value=round(100 * total[1] / total[0]),
        )
    for year, (dc, da, oc, oa) in {2023: (1000, 440, 3000, 2160), 2024: (1000, 460, 3000, 2190)}.items():
        Benchmark.objects.create(
            geography_code=Benchmark.NATIONAL_CODE,
            kind="national",
            results_year=year,
            measure=m,
            pupil_group=g["disadvantaged"],
            cohort=dc,
            achievers=da,
            value=da / 10,
        )
        Benchmark.objects.create(
            geography_code=Benchmark.NATIONAL_CODE,
            kind="national",
            results_year=year,
            measure=m,
            pupil_group=g["not_disadvantaged"],
            cohort=oc,
            achievers=oa,
        )
    return dict(la=la, area=area, cluster=cluster, a=a, b=b)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("gap_report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_cluster_level_json_pooled(tiny):
    out, err = run(
        "--level",
        "cluster",
        "--measure",
        "ks2_rwm_exp",
        "--group",
        "disadvantaged",
        "--year",
        "2024",
        "--format",
        "json",
        "--unsuppressed",
    )
    rows = json.loads(out)  # stdout is the JSON alone
    assert "cluster" in err
    assert len(rows) == 1
    row = rows[0]
    assert set(row) >= set(gap_report.FIELDS + gap_report.EXTRA_FIELDS)
    # Disadvantaged pooled: (1 + 30) ÷ (4 + 40) = 31/44 = 70.45%; others (20 + 50) ÷ (25 + 60) = 70/85 = 82.35%.
    assert row["cohort"] == 44 and row["value"] == pytest.approx(70.45, abs=0.01)
    assert row["comparison_cohort"] == 85 and row["comparison_value"] == pytest.approx(82.35, abs=0.01)
    # Gap within = 82.35 − 70.45 = 11.90; national others 2190/3000 = 73%; vs national = 73 − 70.45 = 2.55.
    assert row["gap"] == pytest.approx(11.90, abs=0.01)
    assert row["national_comparison_value"] == pytest.approx(73.0)
    assert row["gap_vs_national"] == pytest.approx(2.55, abs=0.01)
    # The trend is on the same comparator as gap_vs_national: 2023 dis (1 + 24)/44 = 56.82 vs national others
    # 2160/3000 = 72 → 15.18; 2024 2.55: narrowed 12.63, dis +13.64, national others +1 → both improving.
    # (Within the cluster the others fell 83.53 → 82.35, which the old within-gap trend reported.)
    assert row["trend"] == "narrowing_both_improving"
    assert row["trend_years"] == [2023, 2024]
    assert row["code"] == tiny["cluster"].pk and row["suppressed"] is False


def test_pooled_levels_do_not_give_a_hidden_school_away(tiny):
    # Alpha's 4 disadvantaged pupils are hidden at school level, Beta's 40 shown: the cluster's 44 would give
    # Alpha's back (44 − 40 = 4, 31 − 30 = 1 achiever), and its other pupils likewise (85 − 60 = 25).
    for level in ("cluster", "area", "la"):
        out, _err = run(
            "--level",
            level,
            "--measure",
            "ks2_rwm_exp",
            "--group",
            "disadvantaged",
            "--year",
            "2024",
            "--format",
            "json",
        )
        row = json.loads(out)[0]
        assert row["suppressed"] is True and row["value"] is None and row["comparison_value"] is None, level


def test_school_level_suppresses_small_cohorts_by_default(tiny):
    out, _err = run(
        "--level",
        "school",
        "--measure",
        "ks2_rwm_exp",
        "--group",
        "disadvantaged",
        "--year",
        "2024",
        "--format",
        "json",
    )
    rows = {r["code"]: r for r in json.loads(out)}
    alpha, beta = rows[910001], rows[910002]
    # Alpha has 4 disadvantaged pupils (< 6): hidden; its other pupils (25) hidden too (secondary suppression,
    # since all 29 − others 25 would give 4 back).
    assert alpha["suppressed"] is True and alpha["value"] is None and alpha["cohort"] is None
    assert alpha["comparison_value"] is None and alpha["gap"] is None
    # Beta: 30/40 = 75%, others 50/60 = 83.33% → gap 8.33.
    assert beta["value"] == pytest.approx(75.0) and beta["gap"] == pytest.approx(8.33, abs=0.01)
    out, _err = run(
        "--level",
        "school",
        "--measure",
        "ks2_rwm_exp",
        "--group",
        "disadvantaged",
        "--year",
        "2024",
        "--format",
        "json",
        "--unsuppressed",
    )
    alpha = {r["code"]: r for r in json.loads(out)}[910001]
    assert alpha["value"] == pytest.approx(25.0) and alpha["suppressed"] is False  # 1/4


def test_la_level_and_csv(tiny):
    out, _err = run(
        "--level",
        "la",
        "--measure",
        "ks2_rwm_exp",
        "--group",
        "disadvantaged",
        "--year",
        "2024",
        "--format",
        "json",
        "--unsuppressed",
    )
    rows = json.loads(out)
    assert [r["code"] for r in rows] == ["997"]
    assert rows[0]["value"] == pytest.approx(70.45, abs=0.01)
    out, _err = run(
        "--level", "area", "--measure", "ks2_rwm_exp", "--group", "disadvantaged", "--year", "2024", "--unsuppressed"
    )
    lines = out.strip().splitlines()
    assert lines[0].startswith("level,name,code,measure,group,comparison_group,year,cohort,value")
    assert lines[1].startswith(f"area,West,{tiny['area'].pk},ks2_rwm_exp,disadvantaged,not_disadvantaged,2024,44,70.45")


def test_bad_codes_are_clear_errors(tiny):
    with pytest.raises(CommandError, match="Unknown measure"):
        run("--level", "la", "--measure", "nope", "--group", "disadvantaged", "--year", "2024")
    with pytest.raises(CommandError, match="Unknown group"):
        run("--level", "la", "--measure", "ks2_rwm_exp", "--group", "nope", "--year", "2024")
