"""Special schools are compared with special schools nationally, or not at all; mainstream schools with England.

Figures (KS2 RWM expected standard, 2025), worked out by hand:

    England (E92000001)              disadvantaged 960/2000 = 48%    other 2800/4000 = 70%
    Brook Special School (special)   disadvantaged 1/7 = 14.29%      other 4/9 = 44.44%   within gap 30.16
    Mill Primary (mainstream)        disadvantaged 10/20 = 50%       other 24/30 = 80%    vs national 70 − 50 = 20.0
    England special (E92000001_SPECIAL, when present)
                                     disadvantaged 40/500 = 8%       other 45/300 = 15%
        → special school vs national other pupils 15 − 14.29 = 0.71; vs the same group nationally 8 − 14.29 = −6.29

Against all-school England the special school would be 70 − 14.29 = 55.71 behind: never shown.
"""

import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from schools import comparators, selectors
from schools.models import Area, Benchmark, Cluster, LocalAuthority, Measure, Profile, PupilGroup, Result, School
from schools.roles import Role
from strategy.targets import status_of

NOTE = "No national figure for special schools: not compared with mainstream schools."


@pytest.fixture
def la_with_special(db, django_user_model):
    la = LocalAuthority.objects.create(code="996", name="Testborough")
    area = Area.objects.create(la=la, name="East")
    cluster = Cluster.objects.create(la=la, area=area, name="Mill pyramid")
    special = School.objects.create(
        urn=920001,
        la=la,
        name="Brook Special School",
        phase="special",
        school_type="Community special school",
        area=area,
        cluster=cluster,
    )
    mainstream = School.objects.create(
        urn=920002,
        la=la,
        name="Mill Primary",
        phase="primary",
        school_type="Community school",
        area=area,
        cluster=cluster,
    )
    measure = Measure.objects.get(code="ks2_rwm_exp")
    groups = {c: PupilGroup.objects.get(code=c) for c in ("disadvantaged", "not_disadvantaged", "all")}
    for school, (dc, da, oc, oa) in {special: (7, 1, 9, 4), mainstream: (20, 10, 30, 24)}.items():
        for code, cohort, achievers in (
            ("disadvantaged", dc, da),
            ("not_disadvantaged", oc, oa),
            ("all", dc + oc, da + oa),
        ):
            Result.objects.create(
                school=school,
                results_year=2025,
                measure=measure,
                pupil_group=groups[code],
                cohort=cohort,
                achievers=achievers,
                value=round(100 * achievers / cohort),
            )
    _benchmarks(Benchmark.NATIONAL_CODE, measure, groups, (2000, 960, 4000, 2800))
    officer = django_user_model.objects.create_user("la-officer", password="x")
    officer.groups.add(Group.objects.get(name=Role.LA_OFFICER))
    Profile.objects.create(user=officer, la=la)
    return dict(la=la, special=special, mainstream=mainstream, measure=measure, groups=groups, officer=officer)


def _benchmarks(code, measure, groups, counts):
    dc, da, oc, oa = counts
    for group, cohort, achievers in (("disadvantaged", dc, da), ("not_disadvantaged", oc, oa)):
        Benchmark.objects.create(
            geography_code=code,
            kind="national",
            results_year=2025,
            measure=measure,
            pupil_group=groups[group],
            cohort=cohort,
            achievers=achievers,
        )


def _school_rows(data):
    schools = School.objects.filter(la=data["la"])
    focus = selectors.pupil_groups()["disadvantaged"]
    query = selectors.RowQuery(
        measures=[data["measure"]], focus=focus, groups=selectors.pupil_groups(), years=[2025], year=2025
    )
    pairs = selectors.org_rows(data["officer"], "school", schools, schools, query)
    return {school.name: row for school, row in pairs}


def _report():
    out = io.StringIO()
    call_command(
        "gap_report",
        "--level",
        "school",
        "--measure",
        "ks2_rwm_exp",
        "--group",
        "disadvantaged",
        "--year",
        "2025",
        "--format",
        "json",
        "--unsuppressed",
        stdout=out,
        stderr=io.StringIO(),
    )
    return {row["name"]: row for row in json.loads(out.getvalue())}


def test_school_types_choose_their_national_figures():
    def school(**kw):
        return School(urn=1, name="x", **kw)

    assert comparators.basis_for(school(phase="special")) is comparators.SPECIAL
    assert (
        comparators.basis_for(school(phase="primary", school_type="Academy special converter")) is comparators.SPECIAL
    )
    assert comparators.basis_for(school(phase="pru")) is comparators.ALTERNATIVE_PROVISION
    assert (
        comparators.basis_for(school(phase="secondary", school_type="Free schools alternative provision"))
        is comparators.ALTERNATIVE_PROVISION
    )
    assert comparators.basis_for(school(phase="primary", school_type="Community school")) is comparators.MAINSTREAM


def test_special_school_without_special_benchmarks_has_no_national_gap(la_with_special):
    rows = _school_rows(la_with_special)
    special, mainstream = rows["Brook Special School"], rows["Mill Primary"]
    assert special.current.within == pytest.approx(100 * 4 / 9 - 100 / 7)  # 30.16: the school's own gap stays
    assert special.current.vs_national is None and special.current.like_for_like is None
    assert special.national_note == NOTE
    assert special.stubborn is False and special.excess is None
    assert mainstream.current.vs_national == pytest.approx(20.0)
    assert mainstream.national_note == ""

    report = _report()
    assert report["Brook Special School"]["gap_vs_national"] is None
    assert report["Brook Special School"]["no_national_gap_reason"] == NOTE
    assert report["Brook Special School"]["national_comparator"] == "England, special schools"
    assert report["Mill Primary"]["gap_vs_national"] == 20.0

    client = Client()
    client.force_login(la_with_special["officer"])
    page = client.get(f"/schools/{la_with_special['special'].urn}/").content.decode()
    assert NOTE in page
    assert "55.7" not in page  # the mainstream comparison is never made
    # The findings speak of the gap within the school (44.4% − 14.3% = 30.2 points), not "no figures".
    assert "were 30.2 percentage points behind other pupils in the same school" in page
    assert "No findings: there are no figures" not in page
    listing = client.get(f"/clusters/{la_with_special['special'].cluster_id}/?comparator=national").content.decode()
    assert NOTE in listing  # the empty cell says why


def test_special_school_compared_with_special_schools_nationally(la_with_special):
    _benchmarks("E92000001_SPECIAL", la_with_special["measure"], la_with_special["groups"], (500, 40, 300, 45))
    rows = _school_rows(la_with_special)
    special, mainstream = rows["Brook Special School"], rows["Mill Primary"]
    assert special.current.vs_national == pytest.approx(15 - 100 / 7)  # 0.71
    assert special.current.like_for_like == pytest.approx(8 - 100 / 7)  # −6.29
    assert special.national_gap == pytest.approx(7.0)  # England's special schools: 15 − 8
    assert special.national_note == ""
    assert mainstream.current.vs_national == pytest.approx(20.0)  # still all-school England

    report = _report()
    assert report["Brook Special School"]["gap_vs_national"] == 0.71
    assert report["Brook Special School"]["no_national_gap_reason"] is None

    client = Client()
    client.force_login(la_with_special["officer"])
    page = client.get(f"/schools/{la_with_special['special'].urn}/").content.decode()
    assert "England, special schools" in page and NOTE not in page


def test_special_school_target_measured_against_special_schools(db):
    """A target "in line with the same group nationally" at a special school (Alpha, made special: disadvantaged
    50% in 2022, 60% in 2024). Against all-school England (60%, 62%) it would read as a shortfall of 10 then 2;
    without special-school figures there is nothing to measure it by; with them (40%, 45%) the school is
    ahead: shortfall 40 − 50 = −10 at the baseline and 45 − 60 = −15 in 2024."""
    from strategy.models import Target

    from .strategy_support import build_alpha

    la, school, measure, dis, _other = build_alpha()
    school.phase, school.school_type = "special", "Community special school"
    school.save()
    target = Target.objects.create(
        la=la,
        school=school,
        type=Target.Type.IN_LINE_NATIONAL,
        measure=measure,
        focus_group=dis,
        baseline_year=2022,
        target_year=2025,
    )
    assert status_of(target, show_small_cohorts=True).code == "no_data"
    for year, achievers in ((2022, 40), (2024, 45)):
        Benchmark.objects.create(
            geography_code="E92000001_SPECIAL",
            kind="national",
            results_year=year,
            measure=measure,
            pupil_group=dis,
            cohort=100,
            achievers=achievers,
        )
    status = status_of(Target.objects.get(pk=target.pk), show_small_cohorts=True)
    assert status.baseline == pytest.approx(-10.0)
    assert status.latest == pytest.approx(-15.0)
