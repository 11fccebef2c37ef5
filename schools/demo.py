"""A deterministic, realistic demo local authority.

Pupils are simulated one by one (vectorised with numpy) and then counted by
group, so every school's "all pupils" figure is exactly the sum of its
disadvantaged and other pupils, of its boys and girls, and so on — as in real
data. Some schools' gaps narrow over the years, others widen; special schools
and small primaries give tiny, suppressible cohorts; 2020 and 2021 have no
results, as in England. National figures are England's published ones wherever the repository holds them
(``england_figures``); Ofsted histories and data statuses follow the rules and timetable of their dates.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .models import (
    OVERALL_GRADES_END,
    REPORT_CARDS_START,
    Area,
    Benchmark,
    Cluster,
    DataStatus,
    ImportBatch,
    LocalAuthority,
    Measure,
    OfstedInspection,
    OfstedJudgement,
    Profile,
    PupilGroup,
    Result,
    School,
)
from .reference_data import UNPUBLISHED_YEARS
from .reference_sync import sync_reference_data
from .roles import Role

DEMO_LA_CODE = "999"
DEMO_LA_NAME = "Demoshire"
DEMO_REGION = ("E12000008", "South East")
DEMO_PASSWORD = "demo-password"
DEMO_USERS = [
    ("officer", Role.LA_OFFICER, "Olivia", "Officer"),
    ("adviser", Role.ADVISER, "Adam", "Adviser"),
    ("head", Role.HEADTEACHER, "Hana", "Head"),
    ("data", Role.DATA_MANAGER, "Dev", "Data"),
    ("admin", Role.ADMINISTRATOR, "Ada", "Admin"),
]
AREA_NAMES = ["North", "South", "East", "West", "Central", "Coastal"]
TOWNS = [
    "Ashby",
    "Brampton",
    "Calder",
    "Dunmore",
    "Elmstead",
    "Fairlight",
    "Glenholm",
    "Harwick",
    "Ingleby",
    "Jesmond",
    "Kilbride",
    "Langley",
    "Marston",
    "Northam",
    "Oakhurst",
    "Penrith",
    "Queensbury",
    "Redhill",
    "Stanton",
    "Thornbury",
    "Upwell",
    "Valley End",
    "Westbury",
    "Yardley",
    "Ashcombe",
    "Brackenfield",
    "Cotterill",
    "Dovecote",
    "Eastwick",
    "Foxley",
    "Greyfriars",
    "Holmewood",
]
TOWN_PREFIXES = ["Upper", "Lower", "Great", "Little", "Nether", "Over", "Old", "Far"]
QUARTERS = ["Hill", "Green", "Park", "Fields", "Meadow", "Brook", "Wood", "Vale", "Grange", "Heath", "Common", "Lane"]
PRIMARY_SUFFIXES = [
    "Primary School",
    "CE Primary School",
    "Infant and Junior School",
    "Community Primary School",
    "St Mary's Catholic Primary School",
    "Academy",
    "Junior School",
    "Park Primary School",
]

GROUP_CODES = [
    "all",
    "disadvantaged",
    "not_disadvantaged",
    "fsm",
    "not_fsm",
    "sen_support",
    "ehcp",
    "sen_any",
    "no_sen",
    "cla",
    "not_cla",
    "eal",
    "not_eal",
    "boys",
    "girls",
]
HEADLINE_GROUP_CODES = ["all", "disadvantaged", "not_disadvantaged"]
PRIMARY_MEASURES = [
    "eyfs_gld",
    "phonics_y1",
    "ks2_rwm_exp",
    "ks2_rwm_high",
    "ks2_read_avg",
    "ks2_mat_avg",
    "persistent_absence",
    "suspension_rate",
]
SECONDARY_MEASURES = [
    "ks4_att8",
    "ks4_p8",
    "ks4_em_95",
    "ks4_em_94",
    "ks4_ebacc_aps",
    "persistent_absence",
    "suspension_rate",
]

# How each measure is simulated. Percent measures: base rate for other pupils and
# logit effects. Average measures: mean and spread for other pupils, effects in points.
# Rates: events per pupil.
MODEL = {
    "eyfs_gld": dict(kind="percent", base=0.80, dis=-0.85, sen=-1.9, eal=-0.25, boy=-0.55, cohort="year"),
    "phonics_y1": dict(kind="percent", base=0.90, dis=-0.80, sen=-1.8, eal=-0.10, boy=-0.35, cohort="year"),
    "ks2_rwm_exp": dict(kind="percent", base=0.78, dis=-0.95, sen=-2.0, eal=-0.05, boy=-0.30, cohort="year"),
    "ks2_rwm_high": dict(kind="percent", base=0.10, dis=-1.00, sen=-2.0, eal=0.0, boy=-0.25, cohort="year"),
    "ks2_read_avg": dict(kind="average", base=106.0, sd=6.0, dis=-3.5, sen=-7.0, eal=-1.0, boy=-1.0, cohort="year"),
    "ks2_mat_avg": dict(kind="average", base=105.5, sd=6.5, dis=-3.8, sen=-6.5, eal=0.5, boy=0.5, cohort="year"),
    "ks4_att8": dict(kind="average", base=53.0, sd=15.0, dis=-13.0, sen=-14.0, eal=1.0, boy=-4.0, cohort="year"),
    "ks4_p8": dict(kind="average", base=0.15, sd=1.1, dis=-0.60, sen=-0.55, eal=0.4, boy=-0.20, cohort="year"),
    "ks4_em_95": dict(kind="percent", base=0.52, dis=-1.15, sen=-1.7, eal=0.05, boy=-0.10, cohort="year"),
    "ks4_em_94": dict(kind="percent", base=0.72, dis=-1.20, sen=-1.6, eal=0.05, boy=-0.10, cohort="year"),
    "ks4_ebacc_aps": dict(kind="average", base=4.40, sd=1.8, dis=-1.20, sen=-1.3, eal=0.2, boy=-0.35, cohort="year"),
    "persistent_absence": dict(kind="percent", base=0.13, dis=0.95, sen=0.75, eal=-0.30, boy=0.0, cohort="roll"),
    "suspension_rate": dict(kind="rate", base=0.025, dis=1.30, sen=1.10, eal=-0.50, boy=0.55, cohort="roll"),
}
NATIONAL_PUPILS = 60_000


@dataclass
class DemoContext:
    """What the schools generator made, handed to the other apps' ``demo.generate``."""

    la: LocalAuthority
    seed: int
    years: list[int]
    users: dict[str, object]
    schools: list[School]
    areas: list[Area]
    clusters: list[Cluster]
    batch: ImportBatch
    stats: dict[str, int] = field(default_factory=dict)

    def rng(self, salt: str) -> np.random.Generator:
        """A generator of its own for each app, so adding one app's data never shifts another's."""
        return np.random.default_rng([self.seed, int(hashlib.sha256(salt.encode()).hexdigest()[:8], 16)])


def _town(index: int) -> str:
    """The index-th pyramid's town: the towns, then "Upper Ashby", "Lower Ashby"…, then numbered."""
    town, round_ = TOWNS[index % len(TOWNS)], index // len(TOWNS)
    if round_ == 0:
        return town
    if round_ <= len(TOWN_PREFIXES):
        return f"{TOWN_PREFIXES[round_ - 1]} {town}"
    return f"{town} {round_ - len(TOWN_PREFIXES) + 1}"


def _unique_name(place: str, endings: list[str], used: set[str], start: int = 0) -> str:
    """The first of "<place> <ending>", then "<place> <quarter> <ending>", not yet used in the LA, so no two
    schools share a name."""
    for quarter in ("", *QUARTERS):
        for step in range(len(endings)):
            name = " ".join(filter(None, (place, quarter, endings[(start + step) % len(endings)])))
            if name not in used:
                used.add(name)
                return name
    number = 2
    while f"{place} {endings[0]} {number}" in used:
        number += 1
    used.add(f"{place} {endings[0]} {number}")
    return f"{place} {endings[0]} {number}"


def published_years(count: int, last: int = 2025) -> list[int]:
    """The last ``count`` results years up to ``last`` that had published results (2020 and 2021 had none)."""
    years, year = [], last
    while len(years) < count:
        if year not in UNPUBLISHED_YEARS:
            years.append(year)
        year -= 1
    return sorted(years)


def measure_higher_is_better(model: dict) -> bool:
    """Lower-is-better measures are those where disadvantage raises the figure."""
    return model.get("higher_is_better", model["dis"] < 0)


def _logit(p):
    return np.log(p / (1 - p))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


class Simulator:
    """Simulates pupils for many schools at once and counts them by group."""

    def __init__(self, rng: np.random.Generator, group_codes: list[str]):
        self.rng = rng
        self.group_codes = group_codes

    def pupils(self, sizes: np.ndarray, dis_share: np.ndarray, eal_share: np.ndarray) -> dict[str, np.ndarray]:
        rng = self.rng
        school = np.repeat(np.arange(len(sizes)), sizes)
        n = len(school)
        dis = rng.random(n) < dis_share[school]
        fsm = dis & (rng.random(n) < 0.72)
        cla = dis & (rng.random(n) < 0.025)
        sen_roll = rng.random(n)
        ehcp = sen_roll < 0.035
        sen_support = (~ehcp) & (sen_roll < 0.035 + 0.13 + 0.05 * dis)
        eal = rng.random(n) < eal_share[school]
        boy = rng.random(n) < 0.51
        return dict(school=school, dis=dis, fsm=fsm, cla=cla, ehcp=ehcp, sen_support=sen_support, eal=eal, boy=boy)

    def masks(self, p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        sen_any = p["ehcp"] | p["sen_support"]
        every = np.ones(len(p["school"]), dtype=bool)
        masks = {
            "all": every,
            "disadvantaged": p["dis"],
            "not_disadvantaged": ~p["dis"],
            "fsm": p["fsm"],
            "not_fsm": ~p["fsm"],
            "sen_support": p["sen_support"],
            "ehcp": p["ehcp"],
            "sen_any": sen_any,
            "no_sen": ~sen_any,
            "cla": p["cla"],
            "not_cla": ~p["cla"],
            "eal": p["eal"],
            "not_eal": ~p["eal"],
            "boys": p["boy"],
            "girls": ~p["boy"],
        }
        return {code: masks[code] for code in self.group_codes}

    def linear(self, model: dict, p: dict[str, np.ndarray], school_effect: np.ndarray, gap_shift: np.ndarray):
        """Per-pupil linear predictor: the logit (percent), the expected score (average) or the log rate."""
        school = p["school"]
        sen = p["ehcp"] * 1.4 + p["sen_support"] * 1.0
        dis_effect = model["dis"] * (1 + gap_shift[school]) * p["dis"]
        rest = model["sen"] * sen + model["eal"] * p["eal"] + model["boy"] * p["boy"]
        if model["kind"] == "percent":
            # A better school lowers absence: the school effect works against lower-is-better rates.
            sign = 1 if measure_higher_is_better(model) else -1
            return _logit(model["base"]) + sign * school_effect[school] + dis_effect + rest
        if model["kind"] == "average":
            return model["base"] + school_effect[school] * model["sd"] * 0.6 + dis_effect + rest
        return np.log(model["base"]) - school_effect[school] + dis_effect + rest

    def outcomes(self, model: dict, p: dict[str, np.ndarray], school_effect: np.ndarray, gap_shift: np.ndarray):
        """Per-pupil outcome: achieved (0/1), a score, or an event count."""
        rng, n = self.rng, len(p["school"])
        linear = self.linear(model, p, school_effect, gap_shift)
        if model["kind"] == "percent":
            return (rng.random(n) < _sigmoid(linear)).astype(np.int64)
        if model["kind"] == "average":
            return linear + rng.normal(0, model["sd"] * 0.8, n)
        return rng.poisson(np.exp(linear))

    def count(self, masks, outcome, school_count):
        """cohort and total (achievers, points or events) per school for each group."""
        school = masks["_school"]
        out = {}
        for code in self.group_codes:
            mask = masks[code]
            cohort = np.bincount(school[mask], minlength=school_count)
            total = np.bincount(school[mask], weights=outcome[mask], minlength=school_count)
            out[code] = (cohort, total)
        return out


def _figure(kind: str, cohort: int, total: float) -> dict:
    """Counts and published value for one group, as the DfE would publish them."""
    if cohort == 0:
        return dict(cohort=0, achievers=None, points=None, value=None, value_code="NE")
    if kind == "percent":
        return dict(cohort=cohort, achievers=int(total), points=None, value=round(100 * total / cohort), value_code="")
    if kind == "average":
        points = round(float(total), 2)
        return dict(cohort=cohort, achievers=None, points=points, value=round(points / cohort, 2), value_code="")
    return dict(cohort=cohort, achievers=None, points=None, value=round(100 * total / cohort, 2), value_code="")


@transaction.atomic
def generate(
    *,
    schools: int = 60,
    years: int = 6,
    seed: int = 1,
    last_year: int = 2025,
    headline_only: bool = False,
    with_users: bool = True,
    measure_codes=None,
    stdout=None,
    today: date | None = None,
) -> DemoContext:
    """Create or update the demo LA. Same arguments, same data; running again changes nothing.

    ``measure_codes`` limits the simulated measures (e.g. the headline ones, for a national-size benchmark);
    None simulates every measure, as before."""
    sync_reference_data()  # the demo stands on the same reference rows as a migrated database
    rng = np.random.default_rng(seed)
    result_years = published_years(years, last_year)
    group_codes = HEADLINE_GROUP_CODES if headline_only else GROUP_CODES
    measures = {m.code: m for m in Measure.objects.all()}
    groups = {g.code: g for g in PupilGroup.objects.filter(code__in=group_codes)}
    params = f"schools={schools} years={years} seed={seed} last={last_year} headline={headline_only}"
    model = MODEL
    if measure_codes is not None:
        model = {code: spec for code, spec in MODEL.items() if code in set(measure_codes)}
        params += f" measures={','.join(sorted(model))}"
    batch, _ = ImportBatch.objects.get_or_create(
        format=ImportBatch.Format.DEMO,
        sha256=hashlib.sha256(params.encode()).hexdigest(),
        defaults=dict(file_name=f"generate_demo_data {params}", status=ImportBatch.Status.COMMITTED),
    )

    la, _ = LocalAuthority.objects.update_or_create(
        code=DEMO_LA_CODE, defaults=dict(name=DEMO_LA_NAME, region_code=DEMO_REGION[0], region_name=DEMO_REGION[1])
    )
    n_areas = max(3, min(len(AREA_NAMES), schools // 40 + 3))
    areas = [Area.objects.get_or_create(la=la, name=name)[0] for name in AREA_NAMES[:n_areas]]

    # A pyramid is one secondary and about six feeder primaries; special schools sit in pyramids too.
    secondary_count = max(1, round(schools * 0.14))
    special_count = max(1, round(schools * 0.04))
    primary_count = max(1, schools - secondary_count - special_count)
    phases = ["secondary"] * secondary_count + ["special"] * special_count + ["primary"] * primary_count
    phases = phases[:schools]

    school_rng = np.random.default_rng([seed, 7])
    cluster_objs: list[Cluster] = []
    for index in range(secondary_count):
        town = _town(index)
        area = areas[index % len(areas)]
        cluster, _ = Cluster.objects.update_or_create(la=la, name=f"{town} pyramid", defaults=dict(area=area))
        cluster_objs.append(cluster)

    existing = {s.urn: s for s in School.objects.filter(la=la)}
    to_create, to_update, school_rows = [], [], []
    counters = {"primary": 0, "secondary": 0, "special": 0}
    used_names: set[str] = set()
    for index, phase in enumerate(phases):
        counters[phase] += 1
        cluster = cluster_objs[index % len(cluster_objs)] if phase != "secondary" else cluster_objs[counters[phase] - 1]
        town = cluster.name.removesuffix(" pyramid")
        number = counters[phase]
        if phase == "secondary":
            name, roll, estab = (
                _unique_name(town, ["High School"], used_names),
                int(school_rng.integers(650, 1500)),
                4000 + number,
            )
        elif phase == "special":
            name, roll, estab = (
                _unique_name(town, ["Special School"], used_names),
                int(school_rng.integers(60, 160)),
                7000 + number,
            )
        else:
            name = _unique_name(town, PRIMARY_SUFFIXES, used_names, start=number)
            roll = int(
                school_rng.choice(
                    [45, 90, 120, 180, 210, 240, 315, 420, 480, 630],
                    p=[0.05, 0.08, 0.1, 0.12, 0.2, 0.12, 0.12, 0.11, 0.06, 0.04],
                )
            )
            estab = 2000 + number
        fsm = float(np.clip(school_rng.gamma(4.0, 4.5), 2.0, 65.0))
        urn = 800_000 + index + 1
        values = dict(
            la=la,
            laestab=f"{DEMO_LA_CODE}{estab % 10000:04d}",
            name=name,
            phase=phase,
            school_type={
                "primary": "Community school",
                "secondary": "Academy converter",
                "special": "Community special school",
            }[phase],
            status=School.Status.OPEN,
            area=cluster.area,
            cluster=cluster,
            number_on_roll=roll,
            fsm_percent=round(fsm, 1),
        )
        school = existing.get(urn)
        if school is None:
            to_create.append(School(urn=urn, **values))
        else:
            for key, value in values.items():
                setattr(school, key, value)
            to_update.append(school)
        school_rows.append((urn, phase, roll, fsm))
    School.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        School.objects.bulk_update(
            to_update,
            list(
                to_update[0].__dict__.keys()
                & {
                    "laestab",
                    "name",
                    "phase",
                    "school_type",
                    "status",
                    "area_id",
                    "cluster_id",
                    "number_on_roll",
                    "fsm_percent",
                }
            ),
            batch_size=1000,
        )
    by_urn = {s.urn: s for s in School.objects.filter(la=la, urn__in=[row[0] for row in school_rows])}
    school_objs = [by_urn[row[0]] for row in school_rows]

    _inspections(school_objs, np.random.default_rng([seed, 11]))
    result_count = _results(
        school_objs, school_rows, result_years, measures, groups, group_codes, batch, rng, model, today=today
    )
    bench_count = _national_benchmarks(
        result_years, measures, groups, group_codes, batch, np.random.default_rng([seed, 13]), model
    )

    users = _users(la, school_objs, cluster_objs) if with_users else {}
    context = DemoContext(
        la=la,
        seed=seed,
        years=result_years,
        users=users,
        schools=school_objs,
        areas=areas,
        clusters=cluster_objs,
        batch=batch,
        stats={"schools": len(school_objs), "results": result_count, "benchmarks": bench_count},
    )
    batch.rows_read = result_count + bench_count
    batch.save(update_fields=["rows_read"])
    return context


def _school_day(rng, first: date, last: date) -> date:
    """A weekday in term time (not August) between two dates."""
    while True:
        when = first + timedelta(days=int(rng.integers(0, (last - first).days + 1)))
        if when.weekday() < 5 and when.month != 8:
            return when


def _inspection_history(school, rng) -> list[tuple]:
    """(date, framework, overall grade, concern, {area: grade}) under the rules in force on each date: an
    overall grade before 2 September 2024, key judgements only until November 2025, then report cards."""
    Grade, Judged = OfstedInspection.Grade, OfstedJudgement.Area
    graded, cards = OfstedInspection.GRADED_SCALE, OfstedInspection.REPORT_CARD_SCALE
    quality = int(rng.choice(4, p=[0.14, 0.68, 0.14, 0.04]))  # 0 outstanding … 3 inadequate
    first = _school_day(rng, date(2015, 9, 1), date(2019, 7, 20))
    history = [
        (first, OfstedInspection.Framework.GRADED, graded[quality], "special_measures" if quality == 3 else "", {})
    ]
    quality = int(np.clip(quality + rng.integers(-1, 2), 0, 3))
    second = _school_day(rng, date(2021, 9, 1), date(2026, 10, 16))
    extra_areas = (
        [Judged.EARLY_YEARS_PROVISION]
        if school.phase == "primary"
        else ([Judged.SIXTH_FORM_PROVISION] if school.phase == "secondary" else [])
    )
    if second < OVERALL_GRADES_END:
        history.append(
            (
                second,
                OfstedInspection.Framework.GRADED,
                graded[quality],
                "serious_weaknesses" if quality == 3 else "",
                {},
            )
        )
    elif second < REPORT_CARDS_START:
        areas = [
            Judged.QUALITY_OF_EDUCATION,
            Judged.BEHAVIOUR_AND_ATTITUDES,
            Judged.PERSONAL_DEVELOPMENT,
            Judged.LEADERSHIP_AND_MANAGEMENT,
        ] + extra_areas
        judgements = {area: graded[int(np.clip(quality + rng.choice([-1, 0, 0, 0, 1]), 0, 3))] for area in areas}
        history.append((second, OfstedInspection.Framework.GRADED, "", "", judgements))
    if second >= REPORT_CARDS_START or (second < date(2023, 1, 1) and rng.random() < 0.3):
        when = second if second >= REPORT_CARDS_START else _school_day(rng, REPORT_CARDS_START, date(2026, 10, 16))
        areas = [
            Judged.INCLUSION,
            Judged.CURRICULUM_AND_TEACHING,
            Judged.ACHIEVEMENT,
            Judged.ATTENDANCE_AND_BEHAVIOUR,
            Judged.PERSONAL_DEVELOPMENT_AND_WELLBEING,
            Judged.LEADERSHIP_AND_GOVERNANCE,
        ]
        areas += (
            [Judged.EARLY_YEARS]
            if school.phase == "primary"
            else ([Judged.SIXTH_FORM] if school.phase == "secondary" else [])
        )
        # Most areas at the expected standard; the school's quality moves them up or down.
        centre = 2 + (quality - 1) * 0.8
        judgements = {area: cards[int(np.clip(round(centre + rng.normal(0, 0.7)), 0, 4))] for area in areas}
        judgements[Judged.SAFEGUARDING] = Grade.NOT_MET if rng.random() < 0.03 else Grade.MET
        history.append((when, OfstedInspection.Framework.REPORT_CARD, "", "", judgements))
    return history


def _inspections(schools, rng):
    """Each demo school's Ofsted history, replacing what an earlier run (or an older rule) left behind."""
    wanted = {(school.pk, row[0]): row for school in schools for row in _inspection_history(school, rng)}
    existing = {}
    for inspection in OfstedInspection.objects.filter(school__in=schools).prefetch_related("judgements"):
        existing[(inspection.school_id, inspection.inspection_date)] = (
            inspection.pk,
            (
                inspection.inspection_date,
                inspection.framework,
                inspection.grade,
                inspection.category_of_concern,
                {j.area: j.grade for j in inspection.judgements.all()},
            ),
        )
    stale = [pk for key, (pk, row) in existing.items() if wanted.get(key) != row]
    OfstedInspection.objects.filter(pk__in=stale).delete()
    kept = {key for key, (pk, _row) in existing.items() if pk not in stale}
    new = [
        (
            OfstedInspection(
                school_id=school_id, inspection_date=when, framework=framework, grade=grade, category_of_concern=concern
            ),
            judgements,
        )
        for (school_id, when), (_, framework, grade, concern, judgements) in wanted.items()
        if (school_id, when) not in kept
    ]
    OfstedInspection.objects.bulk_create([inspection for inspection, _ in new], batch_size=1000)
    OfstedJudgement.objects.bulk_create(
        [
            OfstedJudgement(inspection=inspection, area=area, grade=grade)
            for inspection, judgements in new
            for area, grade in judgements.items()
        ],
        batch_size=2000,
    )


def results_status(measure_code: str, results_year: int, today: date) -> str:
    """Where a results year's figures stand on ``today`` in the DfE's publication cycle. KS2: provisional from
    the summer, revised with the performance tables in December; KS4: provisional in October, revised in
    February. Both are final from the next September, when the next cohort's results replace them as the
    latest. Other measures (EYFS, phonics, absence, suspensions) have one release, so are final once shown."""
    if measure_code.startswith("ks2_"):
        revised = date(results_year, 12, 1)
    elif measure_code.startswith("ks4_"):
        revised = date(results_year + 1, 2, 1)
    else:
        return DataStatus.FINAL
    if today >= date(results_year + 1, 9, 1):
        return DataStatus.FINAL
    return DataStatus.REVISED if today >= revised else DataStatus.PROVISIONAL


def _results(
    schools,
    school_rows,
    result_years,
    measures,
    groups,
    group_codes,
    batch,
    rng,
    model_specs=MODEL,
    today: date | None = None,
) -> int:
    n = len(schools)
    phases = np.array([row[1] for row in school_rows])
    roll = np.array([row[2] for row in school_rows])
    fsm = np.array([row[3] for row in school_rows]) / 100
    dis_share = np.clip(fsm * 1.45, 0.02, 0.85)
    eal_share = np.clip(rng.beta(1.2, 8.0, n), 0.0, 0.9)
    school_effect = rng.normal(0, 0.35, n) - 1.2 * (phases == "special")
    # Gap direction: about a third narrow, a quarter widen, the rest hold steady (per year, relative).
    trend = rng.choice([-0.07, 0.0, 0.06], size=n, p=[0.38, 0.37, 0.25]) + rng.normal(0, 0.01, n)
    sim = Simulator(rng, group_codes)
    rows: list[Result] = []
    today = today or date.today()
    first = result_years[0]
    for year in result_years:
        gap_shift = trend * (year - first)
        improvement = 0.02 * (year - first)
        for code, model in model_specs.items():
            measure = measures[code]
            if not measure.valid_in(year):
                continue
            phase_ok = np.isin(phases, ["primary", "special"]) if code in PRIMARY_MEASURES else np.zeros(n, bool)
            if code in SECONDARY_MEASURES:
                phase_ok |= phases == "secondary"
            if code in ("persistent_absence", "suspension_rate"):
                phase_ok = np.ones(n, bool)
            if model["cohort"] == "roll":
                base_size = roll
            else:
                base_size = np.where(
                    phases == "secondary", roll / 5, np.where(phases == "special", roll / 10, roll / 7)
                )
            sizes = np.where(phase_ok, np.maximum(0, rng.poisson(np.maximum(base_size, 1))), 0).astype(np.int64)
            pupils = sim.pupils(sizes, dis_share, eal_share)
            outcome = sim.outcomes(model, pupils, school_effect + improvement, gap_shift)
            masks = sim.masks(pupils)
            masks["_school"] = pupils["school"]
            status = results_status(code, year, today)
            counts = sim.count(masks, outcome, n)
            for index in np.nonzero(phase_ok & (sizes > 0))[0]:
                school = schools[index]
                for group_code in group_codes:
                    cohort, total = counts[group_code]
                    figure = _figure(model["kind"], int(cohort[index]), float(total[index]))
                    rows.append(
                        Result(
                            school=school,
                            results_year=year,
                            measure=measure,
                            pupil_group=groups[group_code],
                            batch=batch,
                            status=status,
                            **figure,
                        )
                    )
    _upsert(Result, rows, ["school", "results_year", "measure", "pupil_group"])
    return len(rows)


ENGLAND_FIGURES = Path(settings.BASE_DIR) / "fixtures" / "england_gap_measures.csv"
# Published pairs the national pool is fitted to, first found first used: (focus group, comparison group).
ANCHOR_PAIRS = (("disadvantaged", "not_disadvantaged"), ("fsm", "not_fsm"))


def england_figures(path: Path = ENGLAND_FIGURES) -> dict[tuple[int, str, str], float]:
    """England's published values, (results_year, measure, group) → value: the England rows of the DfE's Local
    Authority Interactive Tool gap measures, kept in the repository (see the README's "Demo data")."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {
            (int(row["results_year"]), row["measure"], row["pupil_group"]): float(row["value"])
            for row in csv.DictReader(handle)
        }


def _fitted(sim, model, pupils, masks, school_effect, targets: dict[str, float]) -> dict:
    """The model with its level and disadvantage effect moved so that the pool's expected figures for a
    published pair of groups (or all pupils) equal England's published values."""
    pair = next(((f, c) for f, c in ANCHOR_PAIRS if f in targets and c in targets), None)
    if pair is None and "all" not in targets:
        return model
    zero = np.zeros(len(school_effect))
    model = dict(model, higher_is_better=measure_higher_is_better(model))
    base = sim.linear(dict(model, dis=0.0), pupils, school_effect, zero)
    dis = model["dis"] * pupils["dis"]
    percent = model["kind"] == "percent"
    scale = 100.0 if percent else 1.0

    def solve(mask, target, shift, factor, move_shift):
        for _ in range(20):
            linear = base[mask] + shift + factor * dis[mask]
            value = _sigmoid(linear) if percent else linear
            slope = value * (1 - value) if percent else np.ones_like(value)
            error = value.mean() - target / scale
            step = (slope if move_shift else slope * dis[mask]).mean()
            if abs(error) < 1e-7 or step == 0:
                break
            if move_shift:
                shift -= error / step
            else:
                factor -= error / step
        return shift, factor

    shift, factor = 0.0, 1.0
    if pair is None:
        shift, factor = solve(masks["all"], targets["all"], shift, factor, True)
    else:
        for _ in range(3):  # the comparison group may hold some pupils with the focus group's effect (FSM)
            shift, factor = solve(masks[pair[1]], targets[pair[1]], shift, factor, True)
            shift, factor = solve(masks[pair[0]], targets[pair[0]], shift, factor, False)
    fitted = dict(model, dis=model["dis"] * max(factor, 0.0))
    fitted["base"] = float(_sigmoid(_logit(model["base"]) + shift)) if percent else model["base"] + shift
    return fitted


def _national_benchmarks(result_years, measures, groups, group_codes, batch, rng, model_specs=MODEL) -> int:
    """England figures: the published value wherever England's figure is kept in the repository
    (``england_figures``), counted over a pool of simulated pupils fitted to those figures; the other groups
    and measures are the pool's own simulated figures."""
    published = england_figures()
    sim = Simulator(rng, group_codes)
    n_schools = 300
    sizes = np.full(n_schools, NATIONAL_PUPILS // n_schools)
    dis_share = np.clip(rng.gamma(4.0, 4.5, n_schools) * 1.45 / 100, 0.02, 0.85)
    eal_share = np.clip(rng.beta(1.2, 5.0, n_schools), 0, 0.9)
    school_effect = rng.normal(0, 0.35, n_schools)
    rows = []
    first = result_years[0]
    for year in result_years:
        for code, model in model_specs.items():
            measure = measures[code]
            if not measure.valid_in(year):
                continue
            pupils = sim.pupils(sizes, dis_share, eal_share)
            masks = sim.masks(pupils)
            targets = {g: v for (y, m, g), v in published.items() if y == year and m == code and g in masks}
            effect = school_effect + 0.015 * (year - first)
            model = _fitted(sim, model, pupils, masks, effect, targets) if targets else model
            outcome = sim.outcomes(model, pupils, effect, np.zeros(n_schools))
            for group_code in group_codes:
                mask = masks[group_code]
                figure = _figure(model["kind"], int(mask.sum()), float(outcome[mask].sum()))
                if group_code in targets and figure["cohort"]:
                    # England's published value, over the pool's pupils (so the national interval has a size).
                    figure.update(achievers=None, points=None, value=targets[group_code], value_code="")
                elif figure["value"] is not None and model["kind"] == "percent":
                    figure["value"] = round(100 * figure["achievers"] / figure["cohort"], 1)
                rows.append(
                    Benchmark(
                        geography_code=Benchmark.NATIONAL_CODE,
                        geography_name="England",
                        kind=Benchmark.Kind.NATIONAL,
                        results_year=year,
                        measure=measure,
                        pupil_group=groups[group_code],
                        batch=batch,
                        status=DataStatus.FINAL,
                        **figure,
                    )
                )
    _upsert(Benchmark, rows, ["geography_code", "results_year", "measure", "pupil_group"])
    return len(rows)


def _upsert(model, rows, unique_fields):
    model.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=unique_fields,
        update_fields=["cohort", "achievers", "points", "value", "value_code", "status", "batch"],
    )


def _users(la, schools, clusters) -> dict:
    User = get_user_model()
    users = {}
    head_school = next(s for s in schools if s.phase == "primary")
    adviser_schools = [s for s in schools if s.cluster_id == clusters[0].pk][:6]
    for username, role, first, last in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults=dict(first_name=first, last_name=last))
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.is_staff = role == Role.ADMINISTRATOR
        user.is_superuser = role == Role.ADMINISTRATOR
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        profile, _ = Profile.objects.get_or_create(user=user)
        profile.la = la
        profile.school = head_school if role == Role.HEADTEACHER else None
        profile.job_title = {Role.LA_OFFICER: "Gaps lead", Role.ADVISER: "School improvement partner"}.get(role, "")
        profile.save()
        profile.schools.set(adviser_schools if role == Role.ADVISER else [])
        users[username] = user
    return users
