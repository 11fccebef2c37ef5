"""Imports: each format with small files made here, every error type (nothing written), re-import,
rollback, encodings, XLSX, markers, and who may import. Figures are worked out by hand in comments."""

import io
from decimal import Decimal

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape

from schools.imports.committing import import_file
from schools.imports.dfe_layout import year_from_file_name
from schools.imports.planning import build_plan
from schools.imports.problems import ImportRejected
from schools.imports.rollback import rollback_batch, rollback_blockers
from schools.models import (
    Area,
    Benchmark,
    Cluster,
    ImportBatch,
    ImportChange,
    LocalAuthority,
    Result,
    School,
    StatisticalNeighbour,
)

pytestmark = pytest.mark.django_db

LONG_HEADER = "urn,results_year,measure,pupil_group,cohort,achievers,points,value\n"


@pytest.fixture
def schools(db):
    la = LocalAuthority.objects.create(code="999", name="Testshire")
    return [School.objects.create(urn=100001 + i, la=la, name=f"School {i + 1}") for i in range(3)]


def run(text, fmt="auto", year=None, name="file.csv", encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return import_file(data=data, file_name=name, format=fmt, results_year=year)


def result(urn, measure, group, year=2024):
    return Result.objects.get(school__urn=urn, results_year=year, measure__code=measure, pupil_group__code=group)


LONG_FILE = LONG_HEADER + (
    "100001,2024,ks2_rwm_exp,disadvantaged,18,9,,\n"  # 9 / 18 = 50 %
    "100001,2024,ks2_rwm_exp,not_disadvantaged,30,,,46%\n"  # achievers = round(46 × 30 / 100) = round(13.8) = 14
    "100001,2024,ks2_read_avg,disadvantaged,18,,1854,\n"  # 1854 / 18 = 103.0 average
    "100001,2024,suspension_rate,all,310,,,4.5\n"  # a rate keeps its value
    "100001,2024,ks2_rwm_exp,cla,3,SUPP,,\n"  # suppressed: no value, never 0
    "100002,2024,ks2_rwm_exp,disadvantaged,c,,,c\n"  # cohort itself suppressed
)


# --------------------------------------------------------------------------- long template
def test_long_template_stores_counts_values_and_markers(schools):
    plan, batch = run(LONG_FILE)
    assert not plan.errors, plan.errors
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (6, 0, 0)
    assert batch.status == ImportBatch.Status.COMMITTED and batch.sha256 and batch.file_size == len(LONG_FILE)

    dis = result(100001, "ks2_rwm_exp", "disadvantaged")
    assert (dis.cohort, dis.achievers, dis.value, dis.value_code) == (18, 9, Decimal("50.00"), "")
    other = result(100001, "ks2_rwm_exp", "not_disadvantaged")
    assert (other.cohort, other.achievers, other.value) == (30, 14, Decimal("46.00"))
    read = result(100001, "ks2_read_avg", "disadvantaged")
    assert (read.points, read.value) == (Decimal("1854.00"), Decimal("103.00"))
    rate = result(100001, "suspension_rate", "all")
    assert (rate.cohort, rate.value, rate.achievers, rate.points) == (310, Decimal("4.50"), None, None)
    cla = result(100001, "ks2_rwm_exp", "cla")
    assert (cla.cohort, cla.achievers, cla.value, cla.value_code) == (3, None, None, "SUPP")
    hidden = result(100002, "ks2_rwm_exp", "disadvantaged")
    assert (hidden.cohort, hidden.value, hidden.value_code) == (None, None, "c")
    assert set(Result.objects.values_list("batch_id", flat=True)) == {batch.pk}


def test_reimport_of_the_same_file_changes_nothing(schools):
    _, first = run(LONG_FILE)
    before = list(Result.objects.order_by("pk").values())
    plan, second = run(LONG_FILE)
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 6)
    assert list(Result.objects.order_by("pk").values()) == before  # same rows, values and batch (the first)
    assert not ImportChange.objects.filter(batch=second).exists()


def test_corrected_file_updates_only_what_changed_and_rolls_back(schools):
    _, first = run(LONG_FILE)
    corrected = LONG_FILE.replace(
        "100001,2024,ks2_rwm_exp,disadvantaged,18,9,,", "100001,2024,ks2_rwm_exp,disadvantaged,18,10,,"
    )
    _, second = run(corrected)
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 1, 5)
    dis = result(100001, "ks2_rwm_exp", "disadvantaged")
    assert (dis.achievers, dis.value, dis.batch_id) == (10, Decimal("55.56"), second.pk)  # 10 / 18 = 55.56 %
    assert result(100001, "ks2_rwm_exp", "not_disadvantaged").batch_id == first.pk

    # The first batch cannot be rolled back while the second has overwritten one of its figures.
    assert rollback_blockers(first)
    with pytest.raises(ImportRejected):
        rollback_batch(batch=first)
    assert Result.objects.count() == 6

    rollback_batch(batch=second)
    dis.refresh_from_db()
    assert (dis.achievers, dis.value, dis.batch_id) == (9, Decimal("50.00"), first.pk)
    second.refresh_from_db()
    assert second.status == ImportBatch.Status.ROLLED_BACK and second.rolled_back_at

    rollback_batch(batch=first)
    assert Result.objects.count() == 0


@pytest.mark.parametrize(
    "row, column, reason",
    [
        ("100009,2024,ks2_rwm_exp,disadvantaged,18,9,,", "urn", "Unknown URN"),
        ("100001,2024,ks2_nonsense,disadvantaged,18,9,,", "measure", "Unknown measure"),
        ("100001,2024,ks2_rwm_exp,martians,18,9,,", "pupil_group", "Unknown pupil group"),
        ("100001,2024,ks2_rwm_exp,disadvantaged,18,19,,", "achievers", "More achievers than pupils"),
        ("100001,2024,ks2_rwm_exp,disadvantaged,-18,,,50", "cohort", "Negative pupil count"),
        ("100001,2024,ks2_rwm_exp,disadvantaged,18,-1,,", "achievers", "Negative count"),
        ("100001,2024,ks2_rwm_exp,disadvantaged,18,,,104", "value", "between 0 and 100"),
        ("100001,2023/24,ks2_rwm_exp,disadvantaged,18,9,,", "results_year", "Wrong year format"),
        ("100001,2024,ks2_rwm_exp,disadvantaged,18,nine,,", "achievers", "Not a number or a known marker"),
        ("100001,2024,ks2_rwm_exp,disadvantaged,18,,,", "value", "No figure"),
    ],
)
def test_each_error_names_row_column_and_reason_and_writes_nothing(schools, row, column, reason):
    text = LONG_HEADER + "100001,2024,ks2_rwm_exp,not_disadvantaged,30,14,,\n" + row + "\n"
    plan, batch = run(text)
    assert batch is None
    errors = plan.errors
    assert len(errors) == 1, errors
    assert (errors[0].row, errors[0].column) == (3, column)  # header is row 1, the bad row is row 3
    assert reason in errors[0].reason
    assert not Result.objects.exists() and not ImportBatch.objects.exists()


def test_a_measure_outside_its_listed_years_imports_with_a_note(schools):
    # KS2 progress is listed until 2023; a file that publishes it for 2024 is imported, with one note per measure.
    plan, batch = run(LONG_HEADER + "100001,2024,ks2_read_prog,disadvantaged,18,,,0.5\n")
    assert batch is not None and not plan.errors
    assert [(w.row, w.column, w.value) for w in plan.warnings] == [(2, "results_year", "2024")]
    assert "outside the years listed for it (2016–2023)" in plan.warnings[0].reason
    assert result(100001, "ks2_read_prog", "disadvantaged").points == Decimal("9.00")  # 0.5 × 18


def test_duplicate_fact_and_missing_column_are_errors(schools):
    plan, batch = run(LONG_HEADER + "100001,2024,ks2_rwm_exp,disadvantaged,18,9,,\n" * 2)
    assert batch is None
    assert [(e.row, "row 2" in e.reason) for e in plan.errors] == [(3, True)]
    plan, batch = run("urn,results_year,measure,pupil_group,achievers\n100001,2024,ks2_rwm_exp,all,3\n")
    assert batch is None and [(e.row, e.column, e.reason) for e in plan.errors] == [
        (1, "cohort", "Missing required column.")
    ]
    assert not Result.objects.exists()


def test_one_bad_row_among_many_means_nothing_is_written(schools):
    good = "".join(
        f"10000{1 + i % 3},2024,ks2_rwm_exp,{g},20,{i % 20},,\n"
        for i, g in enumerate(["all", "boys", "girls", "eal", "fsm", "disadvantaged"])
    )
    plan, batch = run(LONG_HEADER + good + "100001,2024,ks2_rwm_exp,cla,5,6,,\n")
    assert batch is None and len(plan.errors) == 1 and not Result.objects.exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings(schools, encoding):
    text = (
        "URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName,EstablishmentStatus (name)\n"
        "100001,999,Testshire,2001,St Ælfred’s Primary – Café,Open\n"
    )
    plan, batch = run(text, fmt="register", encoding=encoding)
    assert not plan.errors, plan.errors
    assert School.objects.get(urn=100001).name == "St Ælfred’s Primary – Café"


def test_xlsx_long_template(schools):
    frame = pd.read_csv(io.StringIO(LONG_FILE), dtype=str, keep_default_na=False)
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    plan, batch = run(buffer.getvalue(), name="results.csv")  # the extension lies: content decides
    assert not plan.errors, plan.errors
    assert batch.created_count == 6
    assert result(100001, "ks2_rwm_exp", "not_disadvantaged").achievers == 14


@pytest.mark.parametrize("written", ["45", "45.0", "45%", " 45 % "])
def test_percentages_written_any_way(schools, written):
    plan, batch = run(
        "geography,results_year,measure,pupil_group,cohort,value\n"
        f'E92000001,2024,ks2_rwm_exp,disadvantaged,,"{written}"\n'
    )
    assert not plan.errors, plan.errors
    bench = Benchmark.objects.get()
    assert (bench.value, bench.kind, bench.cohort, bench.achievers) == (Decimal("45.00"), "national", None, None)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (b"urn,results_year,measure,pupil_group,cohort,achievers\n", "no rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV or XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "Excel 97"),
        (b"PK\x03\x04garbage", "could not be opened as XLSX"),
    ],
)
def test_file_level_problems(schools, data, message):
    plan, batch = run(data)
    assert batch is None and plan.errors and message in plan.errors[0].reason


# --------------------------------------------------------------------------- DfE performance tables
KS2_HEADER = (
    "RECTYPE,LEA,ESTAB,URN,SCHNAME,NFTYPE,TELIG,TFSM6CLA1A,TNotFSM6CLA1A,PTRWM_EXP,PTRWM_EXP_FSM6CLA1A,"
    "PTRWM_EXP_NotFSM6CLA1A,READ_AVERAGE\n"
)
KS2_FILE = KS2_HEADER + (
    "1,999,2001,100001,School 1,CY,40,13,27,70%,46%,81%,104\n"
    "1,999,2099,100099,Newly Found Primary,AC,20,4,16,65%,SUPP,SUPP,NP\n"
    "1,999,2002,100002,School 2,CY,25,5\n"  # truncated: the missing cells are missing
    "1,999,2098,100098,Private Prep,IND,30,0,30,90%,NE,90%,110\n"  # independent: skipped
    "3,999, , ,Testshire,,3000,900,2100,66%,47%,74%,105\n"
    "4, , , , ,,600000,190000,410000,61%,47%,67%,104\n"
    "5, , , , ,,590000,189000,401000,62%,48%,68%,105\n"
)


def test_dfe_ks2(schools):
    plan, batch = run(KS2_FILE, name="ks2_2023-24_999_testshire.csv")
    assert not plan.errors, plan.errors
    assert plan.format == "dfe-ks2" and batch.results_year == 2024  # from the file name
    assert [s["urn"] for s in plan.summary()["new_schools"]] == [100099]
    assert School.objects.get(urn=100099).name == "Newly Found Primary"
    assert not School.objects.filter(urn=100098).exists()
    assert any("truncated" in w.reason and w.row == 4 for w in plan.warnings)

    dis = result(100001, "ks2_rwm_exp", "disadvantaged")
    assert (dis.cohort, dis.achievers, dis.value) == (13, 6, Decimal("46.00"))  # round(46 × 13 / 100) = round(5.98) = 6
    other = result(100001, "ks2_rwm_exp", "not_disadvantaged")
    assert (other.cohort, other.achievers) == (27, 22)  # round(81 × 27 / 100) = round(21.87) = 22
    read = result(100001, "ks2_read_avg", "all")
    assert (read.cohort, read.points, read.value) == (40, Decimal("4160.00"), Decimal("104.00"))  # 104 × 40
    supp = result(100099, "ks2_rwm_exp", "disadvantaged")
    assert (supp.cohort, supp.achievers, supp.value, supp.value_code) == (4, None, None, "SUPP")
    assert result(100099, "ks2_read_avg", "all").value_code == "NP"
    assert not Result.objects.filter(school__urn=100002, measure__code="ks2_rwm_exp").exists()  # cells missing

    la = Benchmark.objects.get(geography_code="999", measure__code="ks2_rwm_exp", pupil_group__code="disadvantaged")
    assert (la.kind, la.cohort, la.achievers, la.value, la.geography_name) == (
        "la",
        900,
        423,
        Decimal("47.00"),
        "Testshire",
    )  # 47 × 900 / 100 = 423
    england = Benchmark.objects.get(
        geography_code=Benchmark.NATIONAL_CODE, measure__code="ks2_rwm_exp", pupil_group__code="all"
    )
    assert (england.value, england.cohort) == (Decimal("62.00"), 590000)  # RECTYPE 5: state-funded schools
    assert Benchmark.objects.filter(geography_code="E92000001_ALL").count() == 4

    _, again = run(KS2_FILE, name="ks2_2023-24_999_testshire.csv")
    assert again.created_count == 0 and again.updated_count == 0


def test_dfe_file_needs_a_year(schools):
    plan, batch = run(KS2_FILE, name="performance.csv", fmt="dfe-ks2")
    assert batch is None and "results year is needed" in plan.errors[0].reason
    plan, batch = run(KS2_FILE, name="performance.csv", fmt="dfe-ks2", year=2019)
    assert batch.results_year == 2019


def test_dfe_ks4(schools):
    text = (
        "RECTYPE,LEA,ESTAB,URN,SCHNAME,NFTYPE,TPUP,TFSM6CLA1A,TNOTFSM6CLA1A,ATT8SCR,ATT8SCR_FSM6CLA1A,"
        "ATT8SCR_NFSM6CLA1A,P8PUP,P8MEA,PTL2BASICS_95\n"
        "1,999,4001,100003,School 3,CY,150,30,120,47.3,35.5,50.25,140,-0.21,40%\n"
        "2,999,7001,100070,Special Academy,ACS,12,SUPP,SUPP,SUPP,SUPP,SUPP,10,NE,SUPP\n"
        "4,999,,,,,9000,1500,7500,50.3,35.6,53.3,8800,0.17,52%\n"
        "7,,,,,,540000,140000,400000,46.7,36.7,50.3,520000,-0.03,43%\n"
    )
    plan, batch = run(text, name="ks4_2018-2019_999.csv")
    assert not plan.errors, plan.errors
    assert plan.format == "dfe-ks4" and batch.results_year == 2019
    att8 = result(100003, "ks4_att8", "all", 2019)
    assert (att8.cohort, att8.points, att8.value) == (150, Decimal("7095.00"), Decimal("47.30"))  # 47.3 × 150
    p8 = result(100003, "ks4_p8", "all", 2019)
    assert (p8.cohort, p8.points) == (140, Decimal("-29.40"))  # −0.21 × 140 pupils in Progress 8
    assert result(100003, "ks4_em_95", "all", 2019).achievers == 60  # 40 % of 150
    assert School.objects.get(urn=100070).phase == School.Phase.SPECIAL
    special = result(100070, "ks4_att8", "disadvantaged", 2019)
    assert (special.value, special.value_code, special.cohort) == (None, "SUPP", None)
    assert Benchmark.objects.get(
        geography_code="999", measure__code="ks4_att8", pupil_group__code="all"
    ).value == Decimal("50.30")
    assert Benchmark.objects.get(
        geography_code="E92000001", measure__code="ks4_p8", pupil_group__code="all"
    ).value == Decimal("-0.03")


def test_year_from_file_name():
    assert year_from_file_name("ks2_2018-19_850_hampshire.csv") == 2019
    assert year_from_file_name("ks4_2016-2017_936_surrey.csv") == 2017
    assert year_from_file_name("results 2024.xlsx") == 2024
    assert year_from_file_name("ks2_850.csv") is None


# --------------------------------------------------------------------------- register
REGISTER = (
    "URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName,TypeOfEstablishment (name),"
    "EstablishmentStatus (name),PhaseOfEducation (name),NumberOfPupils,PercentageFSM,Area,Cluster\n"
    "100001,999,Testshire,2001,School 1,Community school,Open,Primary,210,12.5,North,Riverside\n"
    "200001,850,Hampshire,3001,Hill Special School,Community special school,Open,Not applicable,80,40,,\n"
    "200002,850,Hampshire,3002,Old Lane Infants,Community school,Closed,Primary,,,,\n"
)


def test_register_creates_updates_closes_and_rolls_back(schools):
    plan, first = run(REGISTER)
    assert not plan.errors, plan.errors
    assert plan.format == "register" and plan.counts == {"created": 2, "updated": 1, "unchanged": 0}
    s1 = School.objects.get(urn=100001)
    assert (s1.laestab, s1.number_on_roll, s1.fsm_percent, s1.area.name, s1.cluster.name, s1.cluster.area.name) == (
        "9992001",
        210,
        Decimal("12.5"),
        "North",
        "Riverside",
        "North",
    )
    special = School.objects.get(urn=200001)
    assert (special.phase, special.la.name, special.area) == (School.Phase.SPECIAL, "Hampshire", None)
    assert School.objects.get(urn=200002).status == School.Status.CLOSED

    plan, second = run(REGISTER)
    assert plan.counts == {"created": 0, "updated": 0, "unchanged": 3}

    renamed = REGISTER.replace("School 1,Community school,Open", "School One,Academy converter,Closed")
    plan, third = run(renamed)
    assert plan.summary()["updated_schools"][0]["changes"] == [
        {"field": "name", "before": "School 1", "after": "School One"},
        {"field": "school_type", "before": "Community school", "after": "Academy converter"},
        {"field": "status", "before": "open", "after": "closed"},
    ]
    assert School.objects.get(urn=100001).status == School.Status.CLOSED  # closed, never deleted
    rollback_batch(batch=third)
    s1.refresh_from_db()
    assert (s1.name, s1.status) == ("School 1", School.Status.OPEN)
    rollback_batch(batch=first)
    s1.refresh_from_db()
    assert (s1.name, s1.area, s1.number_on_roll) == ("School 1", None, None)
    assert not School.objects.filter(urn__in=[200001, 200002]).exists()
    assert not LocalAuthority.objects.filter(code="850").exists()
    assert not Area.objects.exists() and not Cluster.objects.exists()


def test_register_errors_write_nothing(schools):
    text = REGISTER + "12AB,999,Testshire,2003,Bad URN School,Community school,Open,Primary,1,101\n"
    plan, batch = run(text)
    assert batch is None
    assert {(e.row, e.column) for e in plan.errors} == {(5, "URN"), (5, "PercentageFSM")}
    assert School.objects.count() == 3 and not LocalAuthority.objects.filter(code="850").exists()


def test_rollback_refused_when_later_results_use_created_school(schools):
    _, register = run(REGISTER)
    run(LONG_HEADER + "200001,2024,ks2_rwm_exp,all,10,5,,\n")
    assert any("results for schools" in r for r in rollback_blockers(register))


# --------------------------------------------------------------------------- LA-level files
def test_lait_and_value_only_sources_keep_richer_counts(schools):
    run("geography,results_year,measure,pupil_group,cohort,achievers\n850,2019,ks2_rwm_exp,disadvantaged,3263,1599\n")
    # 1599 / 3263 = 49.00 %
    text = (
        "measure_code,measure_name,year,area,value,la_code,region\n"
        "DAP_NEW_KS2_RWM,KS2 RWM disadvantaged,2019,Hampshire,49,850,South East\n"
        "DAP_NEW_KS2_RWM,KS2 RWM disadvantaged,2019,England,51,970,\n"
        "DAP_NEW_KS2_RWM,KS2 RWM disadvantaged,2020,England,-,970,\n"
        "DAP_KS4_Prog8,P8 disadvantaged,2019,South East,-0.5,989,\n"
        "KS2_NEW_White_RWM,White,2019,England,64,970,\n"
    )
    plan, batch = run(text, name="lait.csv")
    assert not plan.errors, plan.errors
    assert plan.format == "lait" and plan.counts == {"created": 4, "updated": 0, "unchanged": 1}
    la = Benchmark.objects.get(geography_code="850")
    assert (la.cohort, la.achievers, la.value) == (3263, 1599, Decimal("49.00"))
    covid = Benchmark.objects.get(geography_code="E92000001", results_year=2020)
    assert (covid.value, covid.value_code) == (None, "-")
    region = Benchmark.objects.get(geography_code="E12000008")
    assert (region.kind, region.value, region.geography_name) == ("region", Decimal("-0.50"), "South East")
    assert Benchmark.objects.filter(pupil_group__code="white").count() == 1

    plan, batch = run(text.replace("KS2_NEW_White_RWM", "KS2_NEW_Purple_RWM"), name="lait.csv")
    assert batch is None and plan.errors[0].value == "KS2_NEW_Purple_RWM" and plan.errors[0].row == 6


def test_neighbours_from_xlsx(schools):
    rows = [
        ["A", "B", "C", "D", "E", "F"],
        [1, 2, 3, 4, 5, 6],
        ["LA num", "LA Name", "SN1", "SNP", "SN2", "SNP"],
        [850, "Hampshire", 936, "Very close", 881, "close"],
        [936, "Surrey", 850, "Extremely Close", 870, "Close"],
        [None, "Old SNs:", None, None, None, None],
    ]
    buffer = io.BytesIO()
    pd.DataFrame(rows).to_excel(buffer, index=False, header=False)
    plan, batch = run(buffer.getvalue(), name="sn.xlsx")
    assert not plan.errors, plan.errors
    assert plan.format == "neighbours" and batch.created_count == 4
    assert list(
        StatisticalNeighbour.objects.filter(la_code="850").values_list("rank", "neighbour_code", "closeness")
    ) == [(1, "936", "Very close"), (2, "881", "Close")]
    plan, again = run(buffer.getvalue(), name="sn.xlsx")
    assert again.unchanged_count == 4 and again.created_count == 0


# --------------------------------------------------------------------------- speed: bulk, not per row
def test_queries_do_not_grow_with_rows(schools, django_assert_max_num_queries):
    lines = [
        f"{100001 + i % 3},{2016 + (i // 3) % 10},{m},{g},20,{i % 20},,\n"
        for i, (m, g) in enumerate(
            (m, g)
            for m in ("ks2_rwm_exp", "ks2_rwm_high", "eyfs_gld", "phonics_y1")
            for g in (
                "all",
                "boys",
                "girls",
                "eal",
                "fsm",
                "not_fsm",
                "cla",
                "not_cla",
                "sen_any",
                "no_sen",
                "disadvantaged",
                "not_disadvantaged",
            )
            for _ in range(15)
        )
    ]
    text = LONG_HEADER + "".join(sorted(set(lines)))
    plan = build_plan(data=text.encode(), file_name="big.csv")
    assert not plan.errors, plan.errors[:3]
    # 16 to check and write, plus the pooled figures' refresh (schools.aggregates): what the batch touched — its
    # schools and years, the measures it wrote, its published LA figures — and where those schools sit (four
    # reads), then a delete and an INSERT … SELECT per level touched (here school and LA: the schools are in no
    # area or cluster), and the LA's kept judgements forgotten (the sets read, so that they are judged again once
    # the import commits, then two deletes: schools.stored_judgements, schools.rejudging); on PostgreSQL, the
    # re-pooling's work_mem raised and put back (two, ``bulk.pooling_memory``). None of it grows with the rows.
    with django_assert_max_num_queries(28):
        import_file(data=text.encode(), file_name="big.csv")
    assert Result.objects.count() == plan.counts["created"] > 150


# --------------------------------------------------------------------------- command line
def test_commands_exit_non_zero_on_errors_and_dry_run_writes_nothing(schools, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(LONG_HEADER + "100009,2024,ks2_rwm_exp,all,10,5,,\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_results", str(bad), "--format", "long", stdout=io.StringIO(), stderr=err)
    assert "row 2, column urn, value '100009': Unknown URN" in err.getvalue()
    good = tmp_path / "good.csv"
    good.write_text(LONG_FILE)
    out = io.StringIO()
    call_command("import_results", str(good), "--dry-run", stdout=out)
    assert "would be 6 created" in out.getvalue() and not Result.objects.exists()
    call_command("import_results", str(good), stdout=io.StringIO())
    assert Result.objects.count() == 6
    register = tmp_path / "register.csv"
    register.write_text(REGISTER)
    call_command("import_schools", str(register), stdout=io.StringIO())
    assert School.objects.filter(urn=200001).exists()


# --------------------------------------------------------------------------- web: roles, preview, confirm
@pytest.mark.parametrize(
    "username, status", [("officer", 403), ("adviser", 403), ("head", 403), ("data", 200), ("admin", 200)]
)
def test_only_data_managers_and_administrators_can_import(role_client, username, status):
    assert role_client(username).get(reverse("schools:imports")).status_code == status


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(reverse("schools:imports"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _upload(client, text, name="results.csv", **extra):
    upload = io.BytesIO(text.encode() if isinstance(text, str) else text)
    upload.name = name
    return client.post(reverse("schools:imports"), {"file": upload, "format": "auto", **extra})


def test_upload_preview_then_confirm(role_client, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = role_client("data")
    school = demo.schools[0]
    text = LONG_HEADER + f"{school.urn},2030,ks2_rwm_exp,disadvantaged,18,9,,\n"
    before = Result.objects.count()
    response = _upload(client, text)
    batch = ImportBatch.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("schools:import_batch", args=[batch.pk])
    assert batch.status == ImportBatch.Status.PREVIEWED and Result.objects.count() == before
    stored = list((tmp_path / "imports").iterdir())
    assert len(stored) == 1 and "results" not in stored[0].name  # a generated name, never the user's
    page = client.get(response["Location"])
    assert b"Confirm and import" in page.content and b"nothing has been written yet" in page.content

    client.post(reverse("schools:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and batch.uploaded_by == demo.users["data"]
    assert Result.objects.count() == before + 1 and not list((tmp_path / "imports").iterdir())
    client.post(reverse("schools:import_rollback", args=[batch.pk]))
    assert Result.objects.count() == before


def test_a_cancelled_preview_says_why_it_failed(role_client, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = role_client("data")
    response = _upload(client, LONG_HEADER + f"{demo.schools[0].urn},2030,ks2_rwm_exp,disadvantaged,18,9,,\n")
    batch = ImportBatch.objects.latest("pk")
    client.post(reverse("schools:import_cancel", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, batch.notes) == (ImportBatch.Status.FAILED, "Cancelled after preview.")
    assert "nothing was written. Cancelled after preview." in client.get(response["Location"]).content.decode()
    assert "Failed: Cancelled after preview." in client.get(reverse("schools:imports")).content.decode()


def test_cancel_after_preview_writes_nothing_and_a_late_cancel_changes_nothing(role_client, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = role_client("data")
    text = LONG_HEADER + f"{demo.schools[0].urn},2030,ks2_rwm_exp,disadvantaged,18,9,,\n"
    before = Result.objects.count()
    _upload(client, text)
    batch = ImportBatch.objects.latest("pk")
    response = client.post(reverse("schools:import_cancel", args=[batch.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("schools:imports")
    batch.refresh_from_db()
    assert (batch.status, batch.notes) == (ImportBatch.Status.FAILED, "Cancelled after preview.")
    assert Result.objects.count() == before and not list((tmp_path / "imports").iterdir())
    # A committed import is not a preview: cancelling it is refused quietly and it stays committed.
    _upload(client, text)
    committed = ImportBatch.objects.latest("pk")
    client.post(reverse("schools:import_confirm", args=[committed.pk]))
    client.post(reverse("schools:import_cancel", args=[committed.pk]))
    committed.refresh_from_db()
    assert committed.status == ImportBatch.Status.COMMITTED and Result.objects.count() == before + 1


def test_upload_with_errors_lists_them_and_offers_csv(role_client, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = role_client("admin")
    response = _upload(client, LONG_HEADER + "999999,2024,ks2_rwm_exp,all,10,11,,\n")
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == ImportBatch.Status.FAILED and batch.error_count == 2
    page = client.get(response["Location"]).content.decode()
    assert "Unknown URN" in page and "More achievers than pupils" in page and "Confirm and import" not in page
    csv_text = client.get(reverse("schools:import_problems", args=[batch.pk])).content.decode()
    assert csv_text.splitlines()[0] == "row,column,value,reason,level"
    assert "2,achievers,11.0,More achievers than pupils in the cohort.,error" in csv_text
    assert client.post(reverse("schools:import_confirm", args=[batch.pk])).status_code == 302
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.FAILED


def test_upload_limits_and_wrong_content(role_client, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.GAPMONITOR_MAX_UPLOAD_BYTES = 100
    client = role_client("data")
    response = _upload(client, LONG_HEADER + "x" * 200)
    assert response.status_code == 200 and "the largest file accepted is" in response.content.decode()
    settings.GAPMONITOR_MAX_UPLOAD_BYTES = 10_000
    response = _upload(client, b"\x00\x01\x02binary", name="results.csv")
    assert "not a CSV or XLSX" in response.content.decode()
    assert not ImportBatch.objects.exclude(format="demo").exists()


def test_non_importers_cannot_post_or_download(role_client, demo):
    client = role_client("officer")
    assert _upload(client, LONG_FILE).status_code == 403
    assert client.get(reverse("schools:import_template", args=["long"])).status_code == 403
    data = role_client("data").get(reverse("schools:import_template", args=["long"]))
    assert b"urn,results_year,measure,pupil_group,cohort" in b"".join(data.streaming_content)


def test_register_preview_lists_new_updated_and_unchanged_schools(role_client, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = role_client("data")
    known = demo.schools[0]
    text = (
        "URN,LA (code),LA (name),EstablishmentName,EstablishmentStatus (name)\n"
        f"{known.urn},{known.la.code},{known.la.name},Renamed Academy,Open\n"
        f"{demo.schools[1].urn},{known.la.code},{known.la.name},"
        f"{demo.schools[1].name},{demo.schools[1].get_status_display()}\n"
        f"300001,{known.la.code},{known.la.name},Brand New Primary,Open\n"
    )
    response = _upload(client, text, name="register.csv")
    page = client.get(response["Location"]).content.decode()
    assert "<caption>New schools</caption>" in page and "Brand New Primary" in page
    assert "<caption>Updated schools</caption>" in page and escape(f"name: {known.name} → Renamed Academy") in page
    assert "Unchanged schools (1)" in page
    assert School.objects.get(urn=known.urn).name == known.name  # preview writes nothing
