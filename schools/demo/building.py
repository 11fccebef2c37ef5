"""Building the demo LA: its areas, clusters, schools and users, then their results, national benchmarks and
Ofsted histories (:func:`generate`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .. import aggregates
from ..models import Area, Cluster, ImportBatch, LocalAuthority, Measure, Profile, PupilGroup, School
from ..reference_sync import sync_reference_data
from ..roles import Role
from .benchmarks import region_and_neighbours
from .figures import write_national_benchmarks, write_results
from .inspections import write_inspections
from .names import (
    AREA_NAMES,
    DEMO_LA_CODE,
    DEMO_LA_NAME,
    DEMO_PASSWORD,
    DEMO_REGION,
    DEMO_USERS,
    GROUP_CODES,
    HEADLINE_GROUP_CODES,
    PRIMARY_SUFFIXES,
    town_name,
    unique_name,
)
from .simulation import MODEL, published_years


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
        town = town_name(index)
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
                unique_name(town, ["High School"], used_names),
                int(school_rng.integers(650, 1500)),
                4000 + number,
            )
        elif phase == "special":
            name, roll, estab = (
                unique_name(town, ["Special School"], used_names),
                int(school_rng.integers(60, 160)),
                7000 + number,
            )
        else:
            name = unique_name(town, PRIMARY_SUFFIXES, used_names, start=number)
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

    write_inspections(school_objs, np.random.default_rng([seed, 11]))
    result_count = write_results(
        school_objs, school_rows, result_years, measures, groups, group_codes, batch, rng, model, today=today
    )
    # Written with bulk_create (no signals): pool the LA's schools, clusters and areas now.
    aggregates.refresh_la(la)
    bench_count = write_national_benchmarks(
        result_years, measures, groups, group_codes, batch, np.random.default_rng([seed, 13]), model
    )
    if la.region_code:  # the LA's region and statistical neighbours, for its overview's benchmarks
        bench_count += region_and_neighbours(la, result_years, batch, np.random.default_rng([seed, 17]))

    users = make_users(la, school_objs, cluster_objs) if with_users else {}
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


def make_users(la, schools, clusters) -> dict:
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
        profile.la = None if role == Role.NATIONAL_OFFICER else la  # every LA's, not one
        profile.school = head_school if role == Role.HEADTEACHER else None
        profile.job_title = {Role.LA_OFFICER: "Gaps lead", Role.ADVISER: "School improvement partner"}.get(role, "")
        profile.save()
        profile.schools.set(adviser_schools if role == Role.ADVISER else [])
        users[username] = user
    return users
