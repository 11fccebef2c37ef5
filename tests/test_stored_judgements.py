"""The priority list and the gap busters ranked by the database from the judgements kept for them
(``schools.stored_judgements``): each kept judgement is the gap engine's (``judgements.judge``), the order is the
page's, and a write deletes what it makes stale.

KS2 RWM expected standard, 2025. England: disadvantaged 5,000 of 10,000 (50%), other pupils 7,000 of 10,000
(70%): England's gap 20. Each school (disadvantaged / other pupils), worked by hand:

    Ash     12/60 = 20%  vs 54/60 = 90%  within gap 70 (50 wider than England's, interval far above 20): wide gap;
                                         20% vs 50% nationally: group below national. 2 reasons; vs national 50
    Birch   36/120 = 30% vs 60/120 = 50% within gap 20, not wider; group below national. 1 reason; vs national 40
    Cedar   30/120 = 25% vs 60/120 = 50% within gap 25, 5 wider, but its interval (13 to 37) is not above 20:
                                         group below national only. 1 reason; vs national 45
    Dove    1/5 vs 50/60                 5 disadvantaged pupils, under the 6 a figure needs: never ranked
    Elm     54/60 = 90% vs 54/60         vs national 70 − 90 = −20 (interval −27 to −11): a gap buster
    Fir     46/60 = 76.7% vs 46/60       6.7 ahead, interval (−16.5 to +4.1) spans 0: not a buster
    Hazel   57/60 = 95% vs 57/60         25 ahead (interval −29.7 to −16.7): a gap buster
    Yew     10/40 = 25% vs 4/4 = 100%    within gap 75, interval low end 75 − √(49² + 15²) ≈ 23.8 > 20: a wide gap
                                         for a viewer who sees small cohorts; the 4 other pupils are hidden from
                                         everyone else, so no wide gap (nor any figure it rests on) for them.
"""

import pytest

from schools import aggregates, stored_judgements
from schools.aggregate_checks import differences
from schools.gaps import Comparator
from schools.judgements import BusterReason, Reason, judge
from schools.models import (
    Benchmark,
    JudgementSet,
    LocalAuthority,
    Measure,
    PupilGroup,
    Result,
    School,
    SchoolJudgement,
)

pytestmark = pytest.mark.django_db

SCHOOLS = {
    "Ash": (60, 12, 60, 54),
    "Birch": (120, 36, 120, 60),
    "Cedar": (120, 30, 120, 60),
    "Dove": (5, 1, 60, 50),
    "Elm": (60, 54, 60, 54),
    "Fir": (60, 46, 60, 46),
    "Hazel": (60, 57, 60, 57),
    "Yew": (40, 10, 4, 4),
}


@pytest.fixture
def la():
    la = LocalAuthority.objects.create(code="995", name="Rankshire")
    measure = Measure.objects.get(code="ks2_rwm_exp")
    groups = {c: PupilGroup.objects.get(code=c) for c in ("disadvantaged", "not_disadvantaged", "all")}
    results = []
    for n, (name, (dc, da, oc, oa)) in enumerate(SCHOOLS.items()):
        school = School.objects.create(urn=930000 + n, la=la, name=name, phase="primary", school_type="Academy")
        cohorts, achieved = (dc, oc, dc + oc), (da, oa, da + oa)
        results += [
            Result(school=school, results_year=2025, measure=measure, pupil_group=groups[code], cohort=n, achievers=a)
            for code, n, a in zip(("disadvantaged", "not_disadvantaged", "all"), cohorts, achieved, strict=True)
        ]
    Result.objects.bulk_create(results)
    Benchmark.objects.bulk_create(
        Benchmark(
            geography_code=Benchmark.NATIONAL_CODE,
            kind="national",
            results_year=2025,
            measure=measure,
            pupil_group=groups[code],
            cohort=cohort,
            achievers=achievers,
        )
        for code, cohort, achievers in (("disadvantaged", 10_000, 5_000), ("not_disadvantaged", 10_000, 7_000))
    )
    aggregates.refresh_la(la)
    return la


def _kept(la, *, sees_small=True):
    return stored_judgements.judgement_set(
        la,
        Measure.objects.get(code="ks2_rwm_exp"),
        PupilGroup.objects.get(code="disadvantaged"),
        year=None,
        sees_small=sees_small,
        groups={g.code: g for g in PupilGroup.objects.select_related("comparison")},
        years=[2025],
    )


def _ranked(la, kept, **kwargs):
    return list(stored_judgements.ranked(kept, Comparator.NATIONAL, School.objects.filter(la=la), **kwargs))


def test_priority_ranked_by_the_database_most_reasons_first_then_widest_gap(la):
    kept = _kept(la)
    listed = _ranked(la, kept)
    # Ash (2 reasons, 70 − 20 = 50 behind other pupils nationally) → Yew (2, 70 − 25 = 45) → Cedar (1, 45; after
    # Yew by name) → Birch (1, 40).
    assert [(k.school.name, k.priority, k.reasons) for k in listed] == [
        ("Ash", f" {Reason.WIDE_GAP} {Reason.LOW_ATTAINMENT} ", 2),
        ("Yew", f" {Reason.WIDE_GAP} {Reason.LOW_ATTAINMENT} ", 2),
        ("Cedar", f" {Reason.LOW_ATTAINMENT} ", 1),
        ("Birch", f" {Reason.LOW_ATTAINMENT} ", 1),
    ]
    assert [k.vs_national for k in listed] == pytest.approx([50.0, 45.0, 45.0, 40.0])
    assert listed[0].basis == "2024/25 alone (60 pupils)"
    # Dove's 5 disadvantaged pupils are not ranked; every other school's 40 or more are judged on the year.
    assert stored_judgements.unjudged(kept, Comparator.NATIONAL, School.objects.filter(la=la)) == {
        "unranked": 1,
        "not_judged": 0,
    }
    assert stored_judgements.reason_counts(stored_judgements.ranked(kept, "national", School.objects.all())) == {
        Reason.WIDE_GAP: 2,
        Reason.STUBBORN: 0,
        Reason.LOW_ATTAINMENT: 4,
        Reason.BELOW_THRESHOLD: 0,
        Reason.WIDENING: 0,
    }
    wide = _ranked(la, kept, wanted=[Reason.WIDE_GAP])
    assert [k.school.name for k in wide] == ["Ash", "Yew"]


def test_a_lists_tallies_are_its_counts_in_one_query(la, django_assert_num_queries):
    """``tallies``: the number listed, each reason's count among them and the unjudged counts, in one query."""
    kept, schools = _kept(la), School.objects.filter(la=la)
    for busters, wanted in ((False, ()), (False, [Reason.WIDE_GAP]), (True, ())):
        listed = stored_judgements.ranked(kept, Comparator.NATIONAL, schools, busters=busters, wanted=wanted)
        expected = {"listed": listed.count(), **stored_judgements.unjudged(kept, Comparator.NATIONAL, schools)}
        if not busters:
            expected |= stored_judgements.reason_counts(listed)
        with django_assert_num_queries(1):
            found = stored_judgements.tallies(kept, Comparator.NATIONAL, schools, busters=busters, wanted=wanted)
        assert found == expected
    assert expected["listed"] == 2  # Elm and Hazel


def test_every_kept_judgement_is_the_engines(la):
    kept = _kept(la)
    pairs = stored_judgements.judged_rows(
        la, [kept.measure], kept.pupil_group, asked_year=0, sees_small=True, groups=_groups(), years=[2025]
    )[kept.measure.code]
    assert sorted(s.name for s, _r in pairs) == sorted(SCHOOLS)
    stored = {(j.school.name, j.comparator): j for j in SchoolJudgement.objects.filter(judgement_set=kept)}
    assert len(stored) == 3 * len(SCHOOLS)
    for school, row in pairs:
        for kind in Comparator.CHOICES:
            engine, kept_one = judge(row.for_comparator(kind)), stored[(school.name, kind)]
            assert kept_one.priority.split() == list(engine.priority)
            assert kept_one.buster.split() == list(engine.buster)
            assert kept_one.basis == engine.basis and kept_one.rankable == row.rankable
    assert differences() == (0, [])


def test_gap_busters_furthest_ahead_first(la):
    busters = _ranked(la, _kept(la), busters=True)
    assert [(k.school.name, k.buster) for k in busters] == [
        ("Hazel", f" {BusterReason.ABOVE_NATIONAL} "),
        ("Elm", f" {BusterReason.ABOVE_NATIONAL} "),
    ]
    assert [k.vs_national for k in busters] == pytest.approx([-25.0, -20.0])


def test_a_buster_without_a_national_gap_goes_last(la):
    kept = _kept(la)
    SchoolJudgement.objects.filter(judgement_set=kept).delete()
    narrowed = f" {BusterReason.NARROWED_BOTH_IMPROVING} "
    for name, gap in (("Ash", None), ("Birch", 3.0), ("Cedar", -2.0)):
        SchoolJudgement.objects.create(
            judgement_set=kept,
            school=School.objects.get(name=name),
            comparator=Comparator.NATIONAL,
            rankable=True,
            buster=narrowed,
            vs_national=gap,
        )
    assert [k.school.name for k in _ranked(la, kept, busters=True)] == ["Cedar", "Birch", "Ash"]


def test_a_viewer_who_may_not_see_small_cohorts_gets_no_judgement_resting_on_one(la):
    on_national = SchoolJudgement.objects.filter(comparator=Comparator.NATIONAL).select_related("school")
    public = {k.school.name: k for k in on_national.filter(judgement_set=_kept(la, sees_small=False))}
    officer = {k.school.name: k for k in on_national.filter(judgement_set=_kept(la))}
    assert Reason.WIDE_GAP in officer["Yew"].priority.split()
    assert Reason.WIDE_GAP not in public["Yew"].priority.split()
    assert differences() == (0, [])


def test_a_write_deletes_the_stale_judgements_and_the_next_read_judges_afresh(la):
    kept = _kept(la)
    assert [k.school.name for k in _ranked(la, kept)][0] == "Ash"
    # An admin edit: Ash's disadvantaged pupils now 54 of 60 (90%), level with its other pupils.
    ash = Result.objects.get(school__name="Ash", pupil_group__code="disadvantaged")
    ash.achievers = 54
    ash.save()
    assert not JudgementSet.objects.filter(pk=kept.pk).exists()
    again = _kept(la)
    assert "Ash" not in [k.school.name for k in _ranked(la, again)]
    assert "Ash" in [k.school.name for k in _ranked(la, again, busters=True)]
    assert differences() == (0, [])


def test_check_figures_reports_a_kept_judgement_that_differs(la):
    kept = _kept(la)
    SchoolJudgement.objects.filter(judgement_set=kept, school__name="Birch", comparator="national").update(
        priority="", reasons=0
    )
    count, described = differences()
    assert count == 1 and described[0].endswith("national: priority, reasons"), described


def _groups():
    return {g.code: g for g in PupilGroup.objects.select_related("comparison")}


def test_a_small_group_with_one_year_is_counted_as_not_judged_and_the_lists_say_so(la, client, django_user_model):
    """Oak: 12 disadvantaged pupils, 3 of them at the expected standard (25%), 24 of 30 other pupils (80%), 2024/25
    only. 12 is under the 30 a single year needs, and one year cannot be pooled (two comparable years at least):
    no reason for challenge and no gap-buster reason, because Oak could not be judged, not because it is fine."""
    measure = Measure.objects.get(code="ks2_rwm_exp")
    oak = School.objects.create(urn=930099, la=la, name="Oak", phase="primary", school_type="Academy")
    for code, cohort, achievers in (("disadvantaged", 12, 3), ("not_disadvantaged", 30, 24), ("all", 42, 27)):
        Result.objects.create(
            school=oak,
            results_year=2025,
            measure=measure,
            pupil_group=PupilGroup.objects.get(code=code),
            cohort=cohort,
            achievers=achievers,
        )
    kept = _kept(la)
    oak_kept = SchoolJudgement.objects.get(judgement_set=kept, school=oak, comparator=Comparator.NATIONAL)
    assert (oak_kept.rankable, oak_kept.basis, oak_kept.priority, oak_kept.buster) == (True, "", "", "")
    # Fir (46 of 60 against 46 of 60) is judged on the year and has no reason either way: its basis says so.
    fir = SchoolJudgement.objects.get(judgement_set=kept, school__name="Fir", comparator=Comparator.NATIONAL)
    assert (fir.basis, fir.priority, fir.buster) == ("2024/25 alone (60 pupils)", "", "")
    assert stored_judgements.unjudged(kept, Comparator.NATIONAL, School.objects.filter(la=la)) == {
        "unranked": 1,
        "not_judged": 1,
    }
    assert differences() == (0, [])

    from django.contrib.auth.models import Group

    from schools.models import Profile
    from schools.roles import Role

    officer = django_user_model.objects.create_user("rank-officer", password="pw")
    officer.groups.add(Group.objects.get_or_create(name=Role.LA_OFFICER)[0])
    Profile.objects.create(user=officer, la=la)
    client.force_login(officer)
    for url in ("/priority/", "/gap-busters/"):
        page = client.get(url).content.decode()
        assert "Not judged: 1 school (too few pupils in the year, too few comparable years to pool)." in page, url
