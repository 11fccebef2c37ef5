"""Hand-made figures for the strategy tests (one school, KS2 RWM expected standard).

School "Alpha Primary", disadvantaged vs not disadvantaged:
    2022: 10/20 = 50%  vs 32/40 = 80%    → gap 30
    2023: 11/20 = 55%  vs 32/40 = 80%    → gap 25
    2024: 12/20 = 60%  vs 33/40 = 82.5%  → gap 22.5
England:
    2022: 600/1000 = 60% vs 800/1000 = 80% → gap 20
    2023: 610/1000 = 61% vs 810/1000 = 81% → gap 20
    2024: 620/1000 = 62% vs 820/1000 = 82% → gap 20
"""

from schools.models import Benchmark, LocalAuthority, Measure, PupilGroup, Result, School

SCHOOL_ROWS = {
    2022: ((10, 20), (32, 40)),
    2023: ((11, 20), (32, 40)),
    2024: ((12, 20), (33, 40)),
}
NATIONAL_ROWS = {
    2022: ((600, 1000), (800, 1000)),
    2023: ((610, 1000), (810, 1000)),
    2024: ((620, 1000), (820, 1000)),
}


def build_alpha():
    la = LocalAuthority.objects.create(code="901", name="Testshire")
    school = School.objects.create(urn=901001, la=la, name="Alpha Primary", phase="primary")
    measure = Measure.objects.get(code="ks2_rwm_exp")
    dis, other = PupilGroup.objects.get(code="disadvantaged"), PupilGroup.objects.get(code="not_disadvantaged")
    for year, rows in SCHOOL_ROWS.items():
        for group, (achievers, cohort) in zip((dis, other), rows, strict=True):
            add_result(school, measure, group, year, achievers, cohort, places=None)
    for year, rows in NATIONAL_ROWS.items():
        for group, (achievers, cohort) in zip((dis, other), rows, strict=True):
            Benchmark.objects.create(
                geography_code=Benchmark.NATIONAL_CODE,
                kind="national",
                results_year=year,
                measure=measure,
                pupil_group=group,
                cohort=cohort,
                achievers=achievers,
                value=100 * achievers / cohort,
            )
    return la, school, measure, dis, other


def add_result(school, measure, group, year, achievers, cohort, *, places=2):
    """One school result, its value rounded as a DfE file rounds it (``places``; None: a whole number)."""
    return Result.objects.create(
        school=school,
        results_year=year,
        measure=measure,
        pupil_group=group,
        cohort=cohort,
        achievers=achievers,
        value=round(100 * achievers / cohort, places),
    )


def make_user(username, role, la, *, school=None, schools=()):
    """A user with one role (a Django group) and a profile scoped to an LA / school / assigned schools."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from schools.models import Profile

    user = get_user_model().objects.create_user(username=username, password="x", first_name=username.title())
    user.groups.add(Group.objects.get(name=role))
    profile = Profile.objects.create(user=user, la=la, school=school)
    profile.schools.set(schools)
    return user
