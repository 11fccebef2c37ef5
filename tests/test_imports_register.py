"""The school register changes only what the file says, shows every field it will change, skips what is not a
school, names new LAs from the LA code list, and keeps a data manager to their own LA."""

import io

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from schools.imports.committing import import_file
from schools.imports.planning import build_plan
from schools.models import Benchmark, ImportBatch, LocalAuthority, Profile, Result, School
from schools.roles import Role

pytestmark = pytest.mark.django_db

GIAS = "URN,LA (code),LA (name),EstablishmentName"


@pytest.fixture
def la(db):
    return LocalAuthority.objects.create(code="999", name="Testshire")


@pytest.fixture
def school(la):
    return School.objects.create(
        urn=100001,
        la=la,
        name="School 1",
        phase=School.Phase.PRIMARY,
        school_type="Community school",
        status=School.Status.OPEN,
        number_on_roll=210,
    )


def register(text, user=None):
    return import_file(data=text.encode(), file_name="gias.csv", format="register", user=user)


def user_with(role, la=None, username="user"):
    user = User.objects.create_user(username, password="unused-password-1")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    Profile.objects.create(user=user, la=la)
    return user


def state(school):
    school.refresh_from_db()
    return (school.name, school.phase, school.school_type, school.status, school.number_on_roll, school.la.code)


def test_a_missing_column_changes_nothing(school):
    before = state(school)
    # No phase, status or pupil numbers; a type that does not decide the phase: nothing of those changes.
    plan, batch = register(GIAS + ",TypeOfEstablishment (name)\n100001,999,Testshire,School 1,Community school\n")
    assert not plan.errors, plan.errors
    assert plan.counts == {"created": 0, "updated": 0, "unchanged": 1}
    assert state(school) == before
    plan, batch = register(GIAS + "\n100001,999,Testshire,School 1\n")
    assert plan.counts["unchanged"] == 1 and state(school) == before


def test_only_the_fields_the_file_changes_are_written_and_listed(school):
    plan, batch = register(
        GIAS + ",TypeOfEstablishment (name),NumberOfPupils\n"
        "100001,999,Testshire,School One,Community special school,212\n"
    )
    # A special school type decides the phase; the name and pupils change; status (no column) stays open.
    assert plan.summary()["field_changes"] == [
        {"field": "name", "label": "Name", "schools": 1},
        {"field": "number_on_roll", "label": "Pupils on roll", "schools": 1},
        {"field": "phase", "label": "Phase", "schools": 1},
        {"field": "school_type", "label": "Type of establishment", "schools": 1},
    ]
    assert state(school) == (
        "School One",
        School.Phase.SPECIAL,
        "Community special school",
        School.Status.OPEN,
        212,
        "999",
    )


def test_preview_page_lists_every_changing_field(school, settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path
    School.objects.create(urn=100002, la=school.la, name="School 2", phase=School.Phase.PRIMARY)
    client.force_login(user_with(Role.ADMINISTRATOR))
    upload = io.BytesIO(
        (
            GIAS + ",PhaseOfEducation (name)\n100001,999,Testshire,School 1,Secondary\n"
            "100002,999,Testshire,School Two,Secondary\n"
        ).encode()
    )
    upload.name = "gias.csv"
    response = client.post(reverse("schools:imports"), {"file": upload, "format": "register"})
    batch = ImportBatch.objects.get()
    page = client.get(reverse("schools:import_batch", args=[batch.pk])).content.decode()
    assert response.status_code == 302 and batch.status == ImportBatch.Status.PREVIEWED
    assert "Fields that change in schools already registered" in page
    assert '<td>Phase</td><td class="num">2</td>' in page
    assert '<td>Name</td><td class="num">1</td>' in page
    assert School.objects.get(urn=100001).phase == School.Phase.PRIMARY  # a preview writes nothing


def test_establishments_that_are_not_schools_are_skipped_and_counted(la):
    text = (
        GIAS + ",TypeOfEstablishment (name)\n"
        "100001,999,Testshire,School 1,Community school\n"
        "100002,999,Testshire,Sure Start Centre,Children's centre\n"
        "100003,999,Testshire,Town College,Further education\n"
        "100004,999,Testshire,Other Centre,Children's centre\n"
    )
    plan, batch = register(text)
    assert not plan.errors, plan.errors
    assert list(School.objects.values_list("urn", flat=True)) == [100001]
    assert [w.reason for w in plan.warnings] == [
        "3 establishment(s) skipped: not schools (Children's centre 2, Further education 1)."
    ]
    assert batch.summary["skipped_types"] == [
        {"type": "Children's centre", "count": 2},
        {"type": "Further education", "count": 1},
    ]


def test_new_la_without_a_name_takes_its_name_from_the_la_code_list(db):
    register(GIAS + "\n100001,919,,School 1\n")
    assert LocalAuthority.objects.get(code="919").name == "Hertfordshire"
    # A KS4 file's LA row without a name: the new LA is named from the list too.
    text = (
        "RECTYPE,LEA,ESTAB,URN,SCHNAME,NFTYPE,TPUP,ATT8SCR,TFSM6CLA1A,TNOTFSM6CLA1A,ATT8SCR_FSM6CLA1A,"
        "ATT8SCR_NFSM6CLA1A\n"
        "1,850,4001,300001,Hill School,CY,150,47.3,30,120,38.1,49.6\n"
        "4,850,,,,,9000,50.3,2000,7000,40.2,53.1\n"
    )
    plan, batch = import_file(data=text.encode(), file_name="ks4_2018-2019_850.csv", format="dfe-ks4")
    assert not plan.errors, plan.errors
    assert LocalAuthority.objects.get(code="850").name == "Hampshire"
    assert Benchmark.objects.filter(geography_code="850").values_list("geography_name", flat=True)[0] == "Hampshire"


def test_a_data_manager_imports_for_their_own_la_only(school):
    other = LocalAuthority.objects.create(code="850", name="Hampshire")
    theirs = School.objects.create(urn=200001, la=other, name="Hill School")
    manager = user_with(Role.DATA_MANAGER, la=school.la)
    text = (
        GIAS + "\n100001,999,Testshire,School One\n"
        "200001,999,Testshire,Hill School\n"  # would move another LA's school into theirs
        "300001,888,Elsewhere,New School\n"
    )  # would create a school and an LA elsewhere
    plan, batch = register(text, user=manager)
    assert batch is None
    assert [(e.row, e.column) for e in plan.errors] == [(4, "LA (code)"), (3, "URN")]
    assert "you may import only for your LA (999)" in plan.errors[0].reason
    assert (School.objects.get(urn=100001).name, theirs.la.code) == ("School 1", "850")
    assert not LocalAuthority.objects.filter(code="888").exists()

    results = (
        "urn,results_year,measure,pupil_group,cohort,achievers\n"
        "100001,2024,ks2_rwm_exp,all,10,5\n200001,2024,ks2_rwm_exp,all,10,5\n"
    )
    plan, batch = import_file(data=results.encode(), file_name="r.csv", format="long", user=manager)
    assert [(e.row, e.column, e.value) for e in plan.errors] == [(3, "URN", "200001")]
    assert not Result.objects.exists()

    administrator = user_with(Role.ADMINISTRATOR, la=school.la, username="admin")
    plan, batch = register(text, user=administrator)
    assert not plan.errors and School.objects.get(urn=200001).la.code == "999"
    plan, batch = import_file(data=results.encode(), file_name="r.csv", format="long", user=administrator)
    assert Result.objects.count() == 2


def test_the_preview_applies_the_same_limit(school, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    manager = user_with(Role.DATA_MANAGER, la=school.la)
    plan = build_plan(
        data=(GIAS + "\n300001,888,Elsewhere,New School\n").encode(),
        file_name="gias.csv",
        format="register",
        user=manager,
    )
    assert [(e.row, e.column) for e in plan.errors] == [(2, "LA (code)")]
