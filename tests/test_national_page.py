"""The national officer's all-LA page: every LA's gap against England and its statistical neighbours.

KS2 reading, writing and maths (expected standard), 2024, disadvantaged against other pupils:

    LA            school rows (dis / other)          published LA figure       gap used
    Ashire 801    4 of 10 = 40% / 16 of 20 = 80%      42% (12) / 79% (21)       79 − 42 = 37 (published)
    Bshire 802    10 of 20 = 50% / 21 of 30 = 70%     none                      70 − 50 = 20 (pooled)
    Cshire 803    1 of 4 (below the threshold of 6)   none                      suppressed: no gap
    England       60% / 80%                                                     20

Ashire's neighbours are Bshire, Cshire and 999 (not held here): only Bshire has a gap, so the neighbours' gap
is 20. Ashire: gap minus England's 37 − 20 = 17; minus its neighbours' 37 − 20 = 17; against other pupils
nationally 80 − 42 = 38. Bshire: 20 − 20 = 0 against England; 80 − 50 = 30 nationally; no neighbours.
"""

import csv
import io

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from schools.models import Benchmark, LocalAuthority, Measure, Profile, PupilGroup, Result, School, StatisticalNeighbour
from schools.roles import Role
from tests.trust_support import client_for

pytestmark = pytest.mark.django_db

YEAR = 2024


def _user(username, role, la=None):
    user = User.objects.create_user(username, password="x")
    user.groups.add(Group.objects.get(name=role))
    Profile.objects.create(user=user, la=la)
    return client_for(user)


@pytest.fixture
def las(db):
    measure = Measure.objects.get(code="ks2_rwm_exp")
    groups = {g.code: g for g in PupilGroup.objects.filter(code__in=["disadvantaged", "not_disadvantaged"])}
    made = {}
    for code, name, dis, other in (
        ("801", "Ashire", (10, 4), (20, 16)),
        ("802", "Bshire", (20, 10), (30, 21)),
        ("803", "Cshire", (4, 1), (16, 12)),
    ):
        la = LocalAuthority.objects.create(code=code, name=name, region_code="E12000008", region_name="South East")
        school = School.objects.create(urn=int(code) * 1000, la=la, name=f"{name} Primary", phase="primary")
        for group, (cohort, achievers) in (("disadvantaged", dis), ("not_disadvantaged", other)):
            Result.objects.create(
                school=school,
                results_year=YEAR,
                measure=measure,
                pupil_group=groups[group],
                cohort=cohort,
                achievers=achievers,
            )
        made[code] = la
    for geography, kind, dis, other in (
        ("801", "la", (12, 42), (21, 79)),
        (Benchmark.NATIONAL_CODE, "national", (1000, 60), (3000, 80)),
    ):
        for group, (cohort, value) in (("disadvantaged", dis), ("not_disadvantaged", other)):
            Benchmark.objects.create(
                geography_code=geography,
                kind=kind,
                results_year=YEAR,
                measure=measure,
                pupil_group=groups[group],
                cohort=cohort,
                value=value,
            )
    for rank, neighbour in enumerate(("802", "803", "999"), start=1):
        StatisticalNeighbour.objects.create(la_code="801", neighbour_code=neighbour, rank=rank)
    return made


def _csv_rows(response) -> dict[str, dict]:
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    headers = lines[2]
    return {row[0]: dict(zip(headers, row, strict=True)) for row in lines[3:]}


def test_every_la_against_england_and_its_neighbours(las):
    client = _user("nadia", Role.NATIONAL_OFFICER)
    query = "?measure=ks2_rwm_exp&group=disadvantaged"
    page = client.get(reverse("schools:national") + query)
    assert page.status_code == 200
    text = page.content.decode()
    assert "England&#x27;s gap: 20.0" in text or "England's gap: 20.0" in text
    assert "1 of 3 LAs have a published figure" in text  # every LA with a figure for the measure is listed
    rows = _csv_rows(client.get(reverse("schools:national_export", args=["gaps", "csv"]) + query))
    ashire = rows["Ashire (801)"]
    assert ashire["Figures"] == "Published (DfE LA figure)"
    assert (ashire["Disadvantaged"], ashire["Disadvantaged: pupils"]) == ("42.0", "12")
    assert ashire["Gap in the LA"] == "37.0"
    assert ashire["Gap to the comparison group nationally"] == "38.0"
    assert ashire["Gap minus England's gap"] == "17.0"
    assert (ashire["Statistical neighbours' gap"], ashire["Neighbours counted"]) == ("20.0", "1")
    assert ashire["Gap minus neighbours' gap"] == "17.0"
    bshire = rows["Bshire (802)"]
    assert bshire["Figures"] == "Pooled from school rows"
    assert (bshire["Gap in the LA"], bshire["Gap minus England's gap"]) == ("20.0", "0.0")
    assert bshire["Gap to the comparison group nationally"] == "30.0"
    assert bshire["Statistical neighbours' gap"] == ""
    cshire = rows["Cshire (803)"]  # 4 disadvantaged pupils: suppressed for the national officer, so no gap
    assert cshire["Disadvantaged"] == "SUPP"
    assert cshire["Disadvantaged: pupils"] == ""
    assert cshire["Gap in the LA"] == ""


def test_the_csv_states_each_columns_definition_and_sign(las):
    client = _user("nadia", Role.NATIONAL_OFFICER)
    lines = list(
        csv.reader(io.StringIO(client.get(reverse("schools:national_export", args=["gaps", "csv"])).content.decode()))
    )
    definitions = dict(zip(lines[2], lines[1], strict=True))
    assert "positive = the disadvantaged group behind" in definitions["Gap in the LA"]
    assert "positive = the LA's gap is wider than England's" in definitions["Gap minus England's gap"]
    every = list(
        csv.reader(
            io.StringIO(client.get(reverse("schools:national_export", args=["every-measure", "csv"])).content.decode())
        )
    )
    assert len(every) == 3 + 3  # every headline measure × every LA: only KS2 RWM has figures, three LAs


@pytest.mark.parametrize(
    "role", [Role.LA_OFFICER, Role.DATA_MANAGER, Role.ADMINISTRATOR, Role.ADVISER, Role.HEADTEACHER]
)
def test_only_a_national_officer_opens_it(las, role):
    client = _user("someone", role, la=las["801"])
    assert client.get(reverse("schools:national")).status_code == 404
    assert client.get(reverse("schools:national_export", args=["gaps", "csv"])).status_code == 404


def test_a_national_officer_sees_no_school(las):
    client = _user("nadia", Role.NATIONAL_OFFICER)
    school = School.objects.get(urn=801000)
    assert client.get(reverse("schools:school", args=[school.urn])).status_code == 404
    assert client.get(reverse("home")).url == reverse("schools:national")
