"""Pooled figures kept on write (``schools.aggregates``) equal a fresh pooling of the results after every kind
of write: imports, rollbacks, admin edits and deletes, schools moving between clusters, an LA threshold set —
over random small datasets (hypothesis), and ``check_figures`` says so (or exits non-zero when they differ). The
LA's published figure (an import's LA rows, an admin edit of one, the LA recoded) is kept in the same table and
checked the same way. So are the judgements kept for ranking (``schools.stored_judgements``): before each write
the priority list's judgements are kept (as a page would), and after it every kept judgement must be the gap
engine's."""

import datetime
import io

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gapmonitor.conf import conf
from schools import aggregate_checks, figures, stored_judgements
from schools.imports.committing import import_file
from schools.imports.problems import ImportRejected
from schools.imports.rollback import rollback_batch, rollback_blockers
from schools.models import (
    Area,
    Benchmark,
    Cluster,
    ImportBatch,
    JudgementSet,
    LocalAuthority,
    LocalThreshold,
    Measure,
    PooledFigure,
    PupilGroup,
    Result,
    School,
)

pytestmark = pytest.mark.django_db

URNS = [300001 + i for i in range(6)]
MEASURES = ["ks2_rwm_exp", "ks2_read_avg", "suspension_rate"]  # achievers (percent), points (average), value only
GROUPS = ["disadvantaged", "not_disadvantaged", "all"]
YEARS = [2023, 2024]
HEADER = "urn,results_year,measure,pupil_group,cohort,achievers,points,value\n"
GEOGRAPHY_HEADER = "geography,results_year,measure,pupil_group,cohort,achievers,points,value\n"
LA_CODES = ["998", "997"]  # the world's LA, and a code no LA has until the world's LA is recoded to it


@pytest.fixture
def world(db, django_user_model):
    """One LA, two areas, three clusters (the third in no area), six schools (the last in no cluster)."""
    la = LocalAuthority.objects.create(code="998", name="Propertyshire")
    north, south = (Area.objects.create(la=la, name=name) for name in ("North", "South"))
    clusters = [
        Cluster.objects.create(la=la, name="Riverside", area=north),
        Cluster.objects.create(la=la, name="Hilltop", area=south),
        Cluster.objects.create(la=la, name="Marsh", area=None),
    ]
    schools = []
    for i, urn in enumerate(URNS):
        cluster = clusters[i % 3] if i < 5 else None
        schools.append(
            School.objects.create(
                urn=urn, la=la, name=f"School {i}", cluster=cluster, area=cluster.area if cluster else None
            )
        )
    request = RequestFactory().post("/admin/")
    request.user = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    return {"la": la, "clusters": clusters, "schools": schools, "request": request}


def _line(row, geography: str | None = None) -> str:
    school, year, measure, group, cohort, share, marker = row
    achievers = points = value = ""
    if MEASURES[measure] == "ks2_rwm_exp":
        achievers = "SUPP" if marker else str(int(share * cohort))
    elif MEASURES[measure] == "ks2_read_avg":
        points = str(cohort * (95 + int(share * 20)))
    else:
        value = f"{share * 10:.1f}"
    key = geography if geography is not None else URNS[school]
    return f"{key},{YEARS[year]},{MEASURES[measure]},{GROUPS[group]},{cohort},{achievers},{points},{value}\n"


rows = st.tuples(
    st.integers(0, len(URNS) - 1),
    st.integers(0, len(YEARS) - 1),
    st.integers(0, len(MEASURES) - 1),
    st.integers(0, len(GROUPS) - 1),
    st.integers(1, 30),
    st.floats(0, 1),
    st.booleans(),
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("import"), st.lists(rows, min_size=1, max_size=8)),
        st.tuples(st.just("rollback"), st.integers(0, 2)),
        st.tuples(st.just("edit"), st.integers(0, 10_000), st.integers(1, 30), st.integers(0, len(URNS) - 1)),
        st.tuples(st.just("delete"), st.integers(0, 10_000), st.booleans()),
        st.tuples(st.just("move"), st.integers(0, len(URNS) - 1), st.integers(0, 3)),
        st.tuples(st.just("threshold"), st.integers(0, len(YEARS) - 1), st.integers(0, 100)),
        st.tuples(st.just("published"), st.lists(rows, min_size=1, max_size=6), st.integers(0, 1)),
        st.tuples(st.just("edit published"), st.integers(0, 10_000), st.integers(1, 30)),
        st.tuples(st.just("recode"), st.integers(0, 1)),
    ),
    min_size=2,
    max_size=6,
)


def _apply(op, world) -> None:
    request = world["request"]
    kind = op[0]
    if kind == "import":
        unique = {row[:4]: row for row in op[1]}  # one figure per school × year × measure × group in a file
        text = HEADER + "".join(_line(row) for row in unique.values())
        import_file(data=text.encode(), file_name="results.csv", format="auto", results_year=None)
    elif kind == "rollback":
        committed = list(ImportBatch.objects.filter(status=ImportBatch.Status.COMMITTED).order_by("-pk")[: op[1] + 1])
        if committed and not rollback_blockers(committed[-1]):
            rollback_batch(batch=committed[-1])
    elif kind == "edit":  # as the admin saves a changed result: new cohort (achievers kept ≤ cohort), maybe school
        results = list(Result.objects.order_by("pk"))
        if not results:
            return
        result = results[op[1] % len(results)]
        result.cohort = op[2]
        if result.achievers is not None:
            result.achievers = min(result.achievers, op[2])
        school = world["schools"][op[3]]
        taken = Result.objects.filter(
            school=school,
            results_year=result.results_year,
            measure_id=result.measure_id,
            pupil_group_id=result.pupil_group_id,
        ).exclude(pk=result.pk)
        if not taken.exists():
            result.school = school
        admin.site._registry[Result].save_model(request, result, form=None, change=True)
    elif kind == "delete":
        results = list(Result.objects.order_by("pk"))
        if not results:
            return
        model_admin = admin.site._registry[Result]
        picked = results[op[1] % len(results)]
        if op[2]:  # "delete selected" in the change list: this result and the next one
            pair = list(Result.objects.filter(pk__gte=picked.pk).order_by("pk").values_list("pk", flat=True)[:2])
            model_admin.delete_queryset(request, Result.objects.filter(pk__in=pair))
        else:
            model_admin.delete_model(request, picked)
    elif kind == "published":  # a file's LA rows: the published figure of the LA with that code
        unique = {row[1:4]: row for row in op[1]}
        text = GEOGRAPHY_HEADER + "".join(_line(row, LA_CODES[op[2]]) for row in unique.values())
        import_file(data=text.encode(), file_name="la.csv", format="auto", results_year=None)
    elif kind == "edit published":  # the admin corrects a published cohort
        benchmarks = list(Benchmark.objects.order_by("pk"))
        if benchmarks:
            benchmark = benchmarks[op[1] % len(benchmarks)]
            benchmark.cohort = op[2]
            if benchmark.achievers is not None:
                benchmark.achievers = min(benchmark.achievers, op[2])
            admin.site._registry[Benchmark].save_model(request, benchmark, form=None, change=True)
    elif kind == "recode":  # the LA takes another code: its published figure is the other code's benchmarks
        la = LocalAuthority.objects.get(pk=world["la"].pk)
        la.code = LA_CODES[op[1]]
        la.save()
    elif kind == "move":  # the admin moves a school to another cluster (and its area), or out of any
        school = School.objects.get(pk=world["schools"][op[1]].pk)
        cluster = world["clusters"][op[2]] if op[2] < 3 else None
        school.cluster, school.area = cluster, cluster.area if cluster else None
        admin.site._registry[School].save_model(request, school, form=None, change=True)
    elif kind == "threshold":  # the LA sets (or moves) its own threshold for all pupils on KS2 RWM
        threshold, _created = LocalThreshold.objects.get_or_create(
            la=world["la"],
            measure=Measure.objects.get(code="ks2_rwm_exp"),
            pupil_group=PupilGroup.objects.get(code="all"),
            results_year=YEARS[op[1]],
            defaults={"name": "Ambition", "adopted_on": datetime.date(2024, 9, 1), "value": 0},
        )
        threshold.value = op[2]
        admin.site._registry[LocalThreshold].save_model(request, threshold, form=None, change=True)


def _keep_judgements(world) -> None:
    """The priority list's judgements kept, as its page keeps them: KS2 RWM for disadvantaged pupils, each
    school's latest year and 2024, as viewers who do and do not see small cohorts see the figures."""
    groups = {g.code: g for g in PupilGroup.objects.select_related("comparison")}
    years = figures.years_with_results(world["la"])
    for year in (None, 2024):
        for sees_small in (True, False):
            stored_judgements.judgement_set(
                world["la"],
                Measure.objects.get(code="ks2_rwm_exp"),
                groups["disadvantaged"],
                year=year,
                sees_small=sees_small,
                groups=groups,
                years=years,
            )


def _assert_same_as_fresh():
    count, described = aggregate_checks.differences()
    assert count == 0, described


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(first=st.lists(rows, min_size=3, max_size=10), ops=operations)
def test_pooled_figures_equal_a_fresh_pooling_after_every_write(world, first, ops, django_capture_on_commit_callbacks):
    with transaction.atomic():  # each example starts from the same six schools and one import
        for op in [("import", first), *ops]:
            before = _current_sets(world)
            # Each write commits (its ``on_commit`` callbacks run): what it made stale is judged again at once.
            with django_capture_on_commit_callbacks(execute=True) as committed:
                try:
                    _apply(op, world)
                except ImportRejected:
                    pass  # a file the checks refuse writes nothing: the figures must still match
            _assert_same_as_fresh()
            # Every set kept before the write, and the landing pages' sets, are kept again and current: the first
            # read after the write judges nothing.
            wanted = before | (_landing_sets() if committed else set())
            assert wanted <= _current_sets(world), wanted - _current_sets(world)
            _keep_judgements(world)
            assert _current_sets(world) >= _kept_by_list() and JudgementSet.objects.count() >= 4
        transaction.set_rollback(True)


def _current_sets(world) -> set[tuple]:
    """(measure, group, year asked, sees small) of the LA's kept sets that a page would read (current stamp)."""
    stamp = PooledFigure.objects.filter(level="la", org_id=world["la"].pk).order_by("-pk").values("pk")[:1]
    kept = JudgementSet.objects.filter(
        la=world["la"], rules=stored_judgements.rules(), stamp=Coalesce(Subquery(stamp), 0)
    )
    return set(kept.values_list("measure_id", "pupil_group_id", "asked_year", "sees_small"))


def _landing_sets() -> set[tuple]:
    """What the landing pages read first: every headline measure, the default group, latest year, both views."""
    focus = PupilGroup.objects.get(code=conf.default_group).pk
    return {
        (m, focus, 0, seen)
        for m in Measure.objects.filter(headline=True).values_list("pk", flat=True)
        for seen in (True, False)
    }


def _kept_by_list() -> set[tuple]:
    """The sets ``_keep_judgements`` reads."""
    measure = Measure.objects.get(code="ks2_rwm_exp").pk
    group = PupilGroup.objects.get(code="disadvantaged").pk
    return {(measure, group, year, seen) for year in (0, 2024) for seen in (True, False)}


def test_pooled_by_hand_then_rolled_back(world):
    """Two schools of Riverside: 9 of 18 and 14 of 30 disadvantaged pupils reached the standard, so the cluster's
    pooled figure is 23 / 48 = 47.9 % (not the mean of 50 % and 46.7 %); rolling the import back empties it."""
    riverside = world["clusters"][0]
    text = HEADER + "300001,2024,ks2_rwm_exp,disadvantaged,18,9,,\n300004,2024,ks2_rwm_exp,disadvantaged,30,14,,\n"
    _plan, batch = import_file(data=text.encode(), file_name="r.csv", format="auto", results_year=None)
    key = (2024, "ks2_rwm_exp", "disadvantaged")
    figure = figures.figures(riverside, measures=["ks2_rwm_exp"], groups=["disadvantaged"], years=[2024])[key]
    assert (figure.cohort, figure.numerator, figure.schools) == (48, 23, 2)
    assert round(figure.value, 1) == 47.9
    by_cluster = figures.figures_by(
        "cluster",
        School.objects.filter(la=world["la"]),
        measures=["ks2_rwm_exp"],
        groups=["disadvantaged"],
        years=[2024],
    )
    assert by_cluster[(riverside.pk, *key)].cohort == 48
    rollback_batch(batch=batch)
    assert not PooledFigure.objects.exists()
    _assert_same_as_fresh()


def test_deleting_a_cluster_or_a_school_forgets_their_figures(world):
    text = HEADER + "300001,2024,ks2_rwm_exp,all,20,10,,\n300002,2024,ks2_rwm_exp,all,10,5,,\n"
    import_file(data=text.encode(), file_name="r.csv", format="auto", results_year=None)
    riverside, hilltop = world["clusters"][:2]
    assert PooledFigure.objects.filter(level="cluster", org_id=riverside.pk).exists()
    riverside.delete()  # its schools leave it (SET NULL) without being saved
    assert not PooledFigure.objects.filter(level="cluster", org_id=riverside.pk).exists()
    admin.site._registry[School].delete_model(world["request"], School.objects.get(urn=300002))
    assert not PooledFigure.objects.filter(level="cluster", org_id=hilltop.pk).exists()
    la = PooledFigure.objects.get(level="la", org_id=world["la"].pk)
    assert (la.total_cohort, la.numerator) == (20, 10.0)
    _assert_same_as_fresh()


def test_published_figure_kept_beside_the_pooled_one(world):
    """The LA row 998, KS2 RWM, disadvantaged: 14 of 33 pupils, published as 42%: kept as published (42, not
    14/33 = 42.4), with its cohort; re-read after an admin edit; gone when the import is rolled back."""
    text = GEOGRAPHY_HEADER + "998,2024,ks2_rwm_exp,disadvantaged,33,14,,42\n"
    _plan, batch = import_file(data=text.encode(), file_name="la.csv", format="auto", results_year=None)
    la = world["la"]
    key = (la.pk, 2024, "ks2_rwm_exp", "disadvantaged")
    figure = figures.published_figures([la.pk], measures=None, groups=None, years=None)[key]
    assert (figure.value, figure.cohort, figure.numerator) == (42.0, 33, 14)
    benchmark = Benchmark.objects.get(geography_code="998")
    benchmark.value, benchmark.achievers = 45, 15
    admin.site._registry[Benchmark].save_model(world["request"], benchmark, form=None, change=True)
    figure = figures.published_figures([la.pk], measures=None, groups=None, years=None)[key]
    assert (figure.value, figure.numerator) == (45.0, 15)
    _assert_same_as_fresh()
    rollback_batch(batch=batch)
    assert not PooledFigure.objects.filter(level="published").exists()
    _assert_same_as_fresh()


def test_check_figures_reports_a_difference_and_repairs_it(world):
    text = HEADER + "300001,2024,ks2_rwm_exp,all,20,10,,\n"
    import_file(data=text.encode(), file_name="r.csv", format="auto", results_year=None)
    out = io.StringIO()
    call_command("check_figures", stdout=out)
    assert "match" in out.getvalue()
    PooledFigure.objects.filter(level="la").update(total_cohort=21)  # a pooled figure gone wrong
    PooledFigure.objects.filter(level="area").delete()  # and one missing
    PooledFigure.objects.create(
        level="published", org_id=world["la"].pk, results_year=2024, measure_id=1, pupil_group_id=1
    )  # a published figure with no benchmark behind it
    out = io.StringIO()
    with pytest.raises(CommandError, match="3 pooled figure"):
        call_command("check_figures", stdout=out)
    assert "total_cohort stored 21, recomputed 20" in out.getvalue()
    assert "missing: area" in out.getvalue()
    assert "stale (no such results): published" in out.getvalue()
    call_command("check_figures", "--repair", stdout=io.StringIO())
    call_command("check_figures", stdout=io.StringIO())
