"""School context from the performance tables' companion files: absence, census and school information.

Real Hertfordshire (LA 919) files in tests/data/dfe/<year>/: ``919_abs.csv`` for 2021/22 and 2022/23 as
published (517 rows: 511 schools, then LA and England summary rows without a URN), and the first rows of the
2022/23 ``919_census.csv`` and ``919_school_information.csv`` (Open Government Licence v3.0).

Values used below, read from the files:
    117083 Abbots Langley School  2022/23 absence PERCTOT 4.9, PPERSABS10 12.3;  2021/22 4.8, 10.1
    117084 Ashwell Primary School 2022/23 absence 3.4, 3.9
    117083 census 2022/23: NOR 434, NUMFSM 43, PNUMFSMEVER 11.8%, PSENELK 14.1%, PSENELSE 1.2%, PNUMEAL 9.0%
    117083 school information: Community school, ages 3–11, Mixed, "Does not apply", "Not applicable"
"""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.test import Client

from schools.imports.committing import import_file
from schools.imports.rollback import rollback_batch
from schools.models import ImportBatch, LocalAuthority, Profile, School, SchoolContext
from schools.roles import Role

DATA = Path(__file__).resolve().parent / "data" / "dfe"
ABS_2023 = DATA / "2022-2023" / "919_abs.csv"
ABS_2022 = DATA / "2021-2022" / "919_abs.csv"
CENSUS_2023 = DATA / "2022-2023" / "919_census.csv"
INFO_2023 = DATA / "2022-2023" / "919_school_information.csv"

pytestmark = pytest.mark.django_db


@pytest.fixture
def herts():
    la = LocalAuthority.objects.create(code="919", name="Hertfordshire")
    for urn, name in (
        (117083, "Abbots Langley School"),
        (117084, "Ashwell Primary School"),
        (117087, "Jenyns First School and Nursery"),
    ):
        School.objects.create(urn=urn, la=la, name=name, phase=School.Phase.PRIMARY)
    return la


def load(path, fmt="auto", year=2023, data=None):
    plan, batch = import_file(
        data=data if data is not None else path.read_bytes(), file_name=path.name, format=fmt, results_year=year
    )
    return plan, batch


def context(urn, year, source):
    return SchoolContext.objects.get(school__urn=urn, results_year=year, source=source)


def test_real_absence_file_imports_whole_school_absence(herts):
    plan, batch = load(ABS_2023)
    assert plan.format == "absence" and not plan.errors
    assert batch.created_count == 3 and SchoolContext.objects.count() == 3
    row = context(117083, 2023, "absence")
    assert row.overall_absence_percent == Decimal("4.9") and row.persistent_absence_percent == Decimal("12.3")
    assert context(117084, 2023, "absence").persistent_absence_percent == Decimal("3.9")
    warnings = " ".join(p.reason for p in plan.warnings)
    # 511 school rows, 3 of them in the register; the 6 LA and England rows have no URN.
    assert "508 row(s) for schools not in the register" in warnings
    assert "6 LA or England summary row(s)" in warnings
    # The same file again changes nothing.
    plan, batch = load(ABS_2023)
    assert plan.counts == {"created": 0, "updated": 0, "unchanged": 3}


def test_census_and_school_information_import(herts):
    plan, _ = load(CENSUS_2023)
    assert plan.format == "census" and not plan.errors
    row = context(117083, 2023, "census")
    assert (row.number_on_roll, row.fsm_pupils) == (434, 43)
    assert (row.fsm6_percent, row.sen_support_percent, row.ehcp_percent, row.eal_percent) == (
        Decimal("11.8"),
        Decimal("14.1"),
        Decimal("1.2"),
        Decimal("9.0"),
    )
    plan, _ = load(INFO_2023)
    assert plan.format == "school-information" and not plan.errors
    info = context(117083, 2023, "information")
    assert (info.school_type, info.age_range, info.gender, info.religious_character, info.admissions_policy) == (
        "Community school",
        "3–11",
        "Mixed",
        "Does not apply",
        "Not applicable",
    )
    assert context(117087, 2023, "information").age_range == "3–9"


def test_school_page_shows_context_with_its_year(herts):
    load(ABS_2022, year=2022)
    load(ABS_2023)
    load(CENSUS_2023)
    user = User.objects.create_user("officer919", password="x")
    user.groups.add(Group.objects.get_or_create(name=Role.LA_OFFICER)[0])
    Profile.objects.create(user=user, la=herts)
    client = Client()
    client.force_login(user)
    page = client.get("/schools/117083/").content.decode()
    assert "School context" in page
    # The latest year of each file, with its year: 2022/23, not 2021/22's 4.8% and 10.1%.
    assert "Absence, whole school, full year: 2022/23 (results year 2023)" in page
    assert "<dd>4.9%</dd>" in page and "<dd>12.3%</dd>" in page and "10.1%" not in page
    assert "School census: 2022/23 (results year 2023)" in page
    assert "<dd>434</dd>" in page and "<dd>43</dd>" in page and "<dd>14.1%</dd>" in page


def _refused(data: bytes, fmt="auto", year=2023):
    plan, batch = import_file(data=data, file_name="919_abs.csv", format=fmt, results_year=year)
    assert batch is None and plan.errors
    assert SchoolContext.objects.count() == 0
    assert not ImportBatch.objects.filter(status=ImportBatch.Status.COMMITTED).exists()
    return plan.errors


def test_bad_context_files_are_refused_with_nothing_written(herts):
    text = ABS_2023.read_text(encoding="utf-8")
    errors = _refused(text.replace("919,2002,117084,3.4,3.9", "919,2002,117084,abc,3.9").encode())
    assert (errors[0].row, errors[0].column, errors[0].value) == (4, "PERCTOT", "abc")
    errors = _refused(text.replace("919,2002,117084,3.4,3.9", "919,2002,117084,3.4,139").encode())
    assert (errors[0].row, errors[0].column) == (4, "PPERSABS10")
    assert "between 0 and 100" in errors[0].reason
    errors = _refused(text.replace("919,2002,117084,3.4,3.9", "919,2000,117083,3.4,3.9").encode())
    assert (errors[0].row, errors[0].column, errors[0].value) == (4, "URN", "117083")
    errors = _refused(text.replace(",PPERSABS10", ",PPERSABS").encode(), fmt="absence")
    assert errors[0].column == "PPERSABS10" and "Missing required column" in errors[0].reason
    errors = _refused(ABS_2023.read_bytes(), year=None)
    assert "year is needed" in errors[0].reason
    # The DfE's year folder gives the year when the name does not.
    plan, _ = import_file(data=ABS_2023.read_bytes(), file_name="2022-2023/919_abs.csv", dry_run=True)
    assert plan.results_year == 2023 and not plan.errors
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_results", str(ABS_2023), "--format", "census", stdout=out, stderr=err)
    assert "PSENELK" in err.getvalue()
    assert SchoolContext.objects.count() == 0


def test_reimport_updates_and_rollback_restores(herts):
    _, first = load(ABS_2023)
    changed = ABS_2023.read_text(encoding="utf-8").replace("919,2000,117083,4.9,12.3", "919,2000,117083,5.5,12.3")
    plan, second = load(ABS_2023, data=changed.encode())
    assert plan.counts == {"created": 0, "updated": 1, "unchanged": 2}
    assert context(117083, 2023, "absence").overall_absence_percent == Decimal("5.5")
    rollback_batch(batch=second)
    row = context(117083, 2023, "absence")
    assert row.overall_absence_percent == Decimal("4.9") and row.batch_id == first.pk
    rollback_batch(batch=first)
    assert SchoolContext.objects.count() == 0


def test_small_fsm_count_is_suppressed_for_a_headteacher(herts):
    """117087 (Jenyns First School) has NUMFSM 5: under the threshold of 6, so a headteacher sees SUPP, as for
    every other figure; an LA officer sees 5."""
    load(CENSUS_2023)
    school = School.objects.get(urn=117087)
    head = User.objects.create_user("head919", password="x")
    head.groups.add(Group.objects.get_or_create(name=Role.HEADTEACHER)[0])
    Profile.objects.create(user=head, la=herts, school=school)
    officer = User.objects.create_user("officer919b", password="x")
    officer.groups.add(Group.objects.get_or_create(name=Role.LA_OFFICER)[0])
    Profile.objects.create(user=officer, la=herts)
    pages = {}
    for name, user in (("head", head), ("officer", officer)):
        client = Client()
        client.force_login(user)
        pages[name] = client.get("/schools/117087/").content.decode()
    assert "<dt>Pupils eligible for FSM</dt><dd>SUPP</dd>" in pages["head"]
    assert "<dt>Pupils eligible for FSM</dt><dd>5</dd>" in pages["officer"]
    assert "<dd>74</dd>" in pages["head"]  # pupils on roll


def test_command_line_takes_the_year_from_the_dfe_year_folder(herts):
    """`import_results 2021-2022/919_abs.csv` with no --year: the DfE's download keeps the year in the folder."""
    out = io.StringIO()
    call_command("import_results", str(ABS_2022), stdout=out, stderr=io.StringIO())
    assert SchoolContext.objects.filter(results_year=2022, source="absence").count() == 3
    assert not SchoolContext.objects.filter(results_year=2023).exists()
