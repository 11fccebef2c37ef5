"""Today's DfE performance tables, read as published: Hertfordshire (LA 919) KS2 and KS4 2024/25, as the DfE's
download names them (``2024-2025/919_ks2final.csv``), kept in tests/data (Open Government Licence v3.0).

The full files are imported through the command line exactly as a data manager would (no ``--year``); the other
tests use a few real rows of the same file (written to tmp_path) so that they stay quick."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from schools.figures import figures
from schools.imports.committing import import_file
from schools.imports.planning import build_plan
from schools.imports.problems import Problem
from schools.imports.staging import stage_upload
from schools.models import Benchmark, ImportBatch, LocalAuthority, Result, School

DATA = Path(__file__).resolve().parent / "data" / "dfe"
KS2 = DATA / "2024-2025" / "919_ks2final.csv"
KS4 = DATA / "2024-2025" / "919_ks4final.csv"
pytestmark = pytest.mark.django_db


def run_cli(path: Path, *args) -> str:
    out = io.StringIO()
    call_command("import_results", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def pooled_and_published(measure: str, group: str, year: int = 2025):
    la = LocalAuthority.objects.get(code="919")
    pooled = figures(la, measures=[measure], groups=[group], years=[year])[(year, measure, group)]
    published = Benchmark.objects.get(
        geography_code="919", results_year=year, measure__code=measure, pupil_group__code=group
    )
    return pooled.value, float(published.value), published.cohort


def snapshot():
    """Everything an import could write, to show a refused file changed nothing."""
    return (
        sorted(
            Result.objects.values_list(
                "school__urn",
                "results_year",
                "measure__code",
                "pupil_group__code",
                "cohort",
                "value",
                "value_code",
                "status",
            )
        ),
        sorted(
            Benchmark.objects.values_list(
                "geography_code", "measure__code", "pupil_group__code", "cohort", "value", "status"
            )
        ),
        School.objects.count(),
        LocalAuthority.objects.count(),
        ImportBatch.objects.filter(status=ImportBatch.Status.COMMITTED).count(),
    )


def real_rows(path: Path, schools: int = 12, encoding="utf-8-sig") -> tuple[list[str], list[list[str]]]:
    """The header, the first ``schools`` state-funded school rows and the LA and England rows of a real file."""
    rows = list(csv.reader(open(path, encoding=encoding, newline="")))
    header, body = rows[0], rows[1:]
    chosen = [r for r in body if r[0] in ("1", "2") and "IND" not in r][:schools]
    summary = [r for r in body if r[0] not in ("1", "2")]
    return header, chosen + summary


def write(path: Path, header, rows) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def without(header, rows, column):
    index = header.index(column)
    return [c for i, c in enumerate(header) if i != index], [[c for i, c in enumerate(r) if i != index] for r in rows]


# --------------------------------------------------------------------------- the files as published
def test_ks2_2024_25_as_published():
    out = run_cli(KS2)
    # The year is in the folder (2024-2025 → results year 2025), the status in the name (…ks2final).
    assert "Results year 2025 (from the folder name (2024-2025)); status final (from the file name" in out
    batch = ImportBatch.objects.get()
    assert (batch.format, batch.results_year) == ("dfe-ks2", 2025)
    summary = batch.summary["dfe"]
    assert not [p for p in map(Problem.from_dict, batch.problems) if not p.is_error and "count" in str(p).lower()]
    # 359 mainstream schools; 3 (new, no Year 6 yet) have no pupils at the end of KS2; the other 356 all have a
    # figure (350 numbers, 6 SUPP): coverage 1.0.
    assert summary["coverage"] == {
        "with_figures": 356,
        "open_schools": 356,
        "share": 1.0,
        "phases": ["primary", "middle", "all_through"],
        "measure": "ks2_rwm_exp",
        "no_pupils": 3,
    }
    assert "Figures for 356 of 356 open schools of this phase" in out

    # The LA row as published: disadvantaged 40 % of 3,040 pupils, other pupils 70 % of 11,281.
    dis, dis_published, dis_cohort = pooled_and_published("ks2_rwm_exp", "disadvantaged")
    other, other_published, other_cohort = pooled_and_published("ks2_rwm_exp", "not_disadvantaged")
    assert (dis_published, dis_cohort, other_published, other_cohort) == (40.0, 3040, 70.0, 11281)
    # Tolerance: the DfE rounds to whole percentages, so the LA row stands for [v − 0.5, v + 0.5). Disadvantaged
    # pooled from the school rows lies inside that band (1,040 achievers ÷ 2,575 pupils with a figure = 40.39 %).
    assert abs(dis - dis_published) <= 0.5, dis
    # Other pupils are suppressed with them wherever a school has few disadvantaged pupils (complementary
    # suppression: 4,020 of the 11,281 have no school figure), and those schools attain above the LA: the pooled
    # figure runs low — 4,975 ÷ 7,261 = 68.52 %, 0.98 points below the band. Allowed: 1.5 points below it.
    assert other < other_published and other_published - 0.5 - other <= 1.5, other

    # Richard Whittington Primary (URN 151078): 80 % of 45; the group columns spelt TNOTFSM6CLA1A / …_NotFSM6CLA1A.
    school = {
        (r.measure.code, r.pupil_group.code): r
        for r in Result.objects.filter(school__urn=151078).select_related("measure", "pupil_group")
    }
    assert (
        school["ks2_rwm_exp", "not_disadvantaged"].cohort,
        school["ks2_rwm_exp", "not_disadvantaged"].achievers,
    ) == (34, 28)  # round(82 % × 34) = round(27.88) = 28
    assert school["ks2_read_exp", "all"].achievers == 40  # round(89 % × 45) = round(40.05)
    assert float(school["ks2_gps_avg", "all"].value) == 111
    assert school["ks2_rwm_exp", "non_mobile"].cohort == 44
    # 3-year figure: 71 % of 134 pupils over 2023–2025, stored under 2025 → round(95.14) = 95 achievers.
    three = school["ks2_rwm_exp_3yr", "all"]
    assert (three.results_year, three.cohort, three.achievers) == (2025, 134, 95)
    # KS2 progress was not published for 2024/25: the empty cells are stored as "not published", never as 0.
    progress = school["ks2_read_prog", "all"]
    assert (progress.value, progress.value_code) == (None, "NP")
    # Earlier years' columns are recognised, not imported: 2024 comes from 2024's own file.
    assert not Result.objects.filter(results_year=2024).exists()
    assert "PTRWM_EXP_24" in summary["earlier_years"] and "PTSCITA_EXP" in summary["not_used"]


def test_ks4_2024_25_as_published():
    out = run_cli(KS4)
    assert "Results year 2025 (from the folder name (2024-2025)); status final" in out
    batch = ImportBatch.objects.get()
    assert (batch.format, batch.results_year) == ("dfe-ks4", 2025)
    assert not [p for p in map(Problem.from_dict, batch.problems) if not p.is_error and "count" in str(p).lower()]
    # 79 state-funded mainstream secondary schools with pupils at the end of KS4, all with a figure; one new school
    # (Avanti Grange, no Year 11) is not counted. Independent schools (IND, INDSS) and the non-maintained special
    # school are not LA schools and are not in the DfE's LA figures: skipped.
    coverage = batch.summary["dfe"]["coverage"]
    assert (coverage["with_figures"], coverage["open_schools"], coverage["share"], coverage["no_pupils"]) == (
        79,
        79,
        1.0,
        1,
    )
    assert not School.objects.filter(urn__in=[117600, 150044, 117665]).exists()  # IND, INDSS, NMSS

    dis, dis_published, dis_cohort = pooled_and_published("ks4_att8", "disadvantaged")
    other, other_published, other_cohort = pooled_and_published("ks4_att8", "not_disadvantaged")
    assert (dis_published, dis_cohort, other_published, other_cohort) == (34.2, 2636, 54.1, 12226)
    # Tolerance: Attainment 8 is published to one decimal; special schools' group figures are mostly suppressed
    # (SUPP) or not entered (NE) in the school rows, and their pupils score far below the LA average, so the
    # pooled disadvantaged figure runs high. Allowed: pooled above published, by at most 2 points (here ≈1.4);
    # other pupils, within 1 point (here ≈0.4).
    assert 0 < dis - dis_published <= 2.0, dis
    assert abs(other - other_published) <= 1.0, other

    adeyfield = {
        (r.measure.code, r.pupil_group.code): r
        for r in Result.objects.filter(school__urn=145430).select_related("measure", "pupil_group")
    }
    att8 = adeyfield["ks4_att8", "disadvantaged"]
    assert (att8.cohort, float(att8.points), float(att8.value)) == (42, 1146.6, 27.3)  # 27.3 × 42
    assert adeyfield["ks4_ebacc_entry", "all"].achievers == 52  # 40 % of 130
    assert adeyfield["ks4_em_95", "disadvantaged"].achievers == 4  # round(9.5 % × 42) = round(3.99)
    # Progress 8 is not published for 2024/25: the DfE writes NA, kept as a marker, never as 0.
    assert (adeyfield["ks4_p8", "all"].value, adeyfield["ks4_p8", "all"].value_code) == (None, "NA")


# --------------------------------------------------------------------------- year and status
def test_year_and_status_from_where_the_dfe_puts_them(tmp_path):
    header, rows = real_rows(KS2)
    # No year in the name nor the folder: the previous-year columns (…_24, …_23) say 2025.
    plan = build_plan(
        data=write(tmp_path / "england_ks2provisional.csv", header, rows).read_bytes(),
        file_name="england_ks2provisional.csv",
    )
    assert (plan.results_year, plan.results_status) == (2025, "provisional")
    assert plan.found["year_found"] == "from the file's previous-year columns (…_24)"
    # A browser gives only the file name: the folder typed in the form is used.
    batch = stage_upload(
        data=(tmp_path / "england_ks2provisional.csv").read_bytes(),
        file_name="919_ks2final.csv",
        format="auto",
        results_year=None,
        user=None,
        folder="2023-2024",
    )
    assert (batch.results_year, batch.summary["dfe"]["status"]) == (2024, "final")
    # Given explicitly, the year and the status win.
    plan = build_plan(
        data=(tmp_path / "england_ks2provisional.csv").read_bytes(),
        file_name="2023-2024/919_ks2revised.csv",
        results_year=2025,
        status="final",
    )
    assert (plan.results_year, plan.found["year_found"], plan.results_status) == (2025, "given", "final")


def test_revised_file_updates_figures_and_status(tmp_path):
    header, rows = real_rows(KS2)
    provisional = write(tmp_path / "2024-2025" / "919_ks2provisional.csv", header, rows)
    plan, batch = import_file(data=provisional.read_bytes(), file_name=provisional.name, folder="2024-2025")
    assert batch.created_count == (
        Result.objects.filter(status="provisional").count() + Benchmark.objects.filter(status="provisional").count()
    )
    column = header.index("PTRWM_EXP")
    rows[0][column] = "78%"  # the revised file corrects one figure
    revised = write(tmp_path / "2024-2025" / "919_ks2revised.csv", header, rows)
    plan, batch = import_file(data=revised.read_bytes(), file_name=revised.name, folder="2024-2025")
    figures = Result.objects.count() + Benchmark.objects.count()
    assert (batch.created_count, batch.updated_count) == (0, figures)
    assert batch.summary["dfe"]["status_changes"] == {"provisional → revised": figures}
    assert not Result.objects.exclude(status="revised").exists()
    corrected = Result.objects.get(school__urn=151078, measure__code="ks2_rwm_exp", pupil_group__code="all")
    assert float(corrected.value) == 78


# --------------------------------------------------------------------------- refused: nothing written
def test_count_column_missing_is_refused(tmp_path):
    header, rows = real_rows(KS2)
    before = snapshot()
    damaged = write(tmp_path / "2024-2025" / "919_ks2final.csv", *without(header, rows, "TNOTFSM6CLA1A"))
    plan, batch = import_file(data=damaged.read_bytes(), file_name=damaged.name, folder="2024-2025")
    assert batch is None
    errors = [e for e in plan.errors if e.column == "TNOTFSM6CLA1A"]
    assert errors and "PTRWM_EXP_NOTFSM6CLA1A has" in errors[0].reason and "KS2 layout for 2024/25" in errors[0].reason
    assert snapshot() == before


def test_required_column_missing_names_the_layout(tmp_path):
    header, rows = real_rows(KS2)
    before = snapshot()
    damaged = write(tmp_path / "2024-2025" / "919_ks2final.csv", *without(header, rows, "PTRWM_EXP_FSM6CLA1A"))
    plan, batch = import_file(data=damaged.read_bytes(), file_name=damaged.name, folder="2024-2025")
    assert batch is None
    assert [(e.column, e.reason) for e in plan.errors] == [
        (
            "PTRWM_EXP_FSM6CLA1A",
            "Missing required column: the DfE's KS2 layout for 2024/25 has it (ks2_rwm_exp, disadvantaged).",
        )
    ]
    assert snapshot() == before


def test_ks4_file_chosen_as_ks2_is_refused(tmp_path):
    header, rows = real_rows(KS4, encoding="utf-8")
    before = snapshot()
    path = write(tmp_path / "2024-2025" / "919_ks4final.csv", header, rows)
    plan, batch = import_file(data=path.read_bytes(), file_name=path.name, format="dfe-ks2", folder="2024-2025")
    assert batch is None and [e.column for e in plan.errors] == ["TPUP, ATT8SCR"]
    assert "This is a KS4 file" in plan.errors[0].reason and "choose dfe-ks4" in plan.errors[0].reason
    assert snapshot() == before


def test_figures_that_would_lose_their_cohort_are_refused(tmp_path):
    header, rows = real_rows(KS2)
    good = write(tmp_path / "2024-2025" / "919_ks2final.csv", header, rows)
    import_file(data=good.read_bytes(), file_name=good.name, folder="2024-2025")
    before = snapshot()
    count = header.index("TFSM6CLA1A")
    for row in rows[:3]:
        row[count] = ""  # the disadvantaged count cut out of three school rows, their figures left in
    damaged = write(tmp_path / "2024-2025" / "919_ks2revised.csv", header, rows)
    plan, batch = import_file(data=damaged.read_bytes(), file_name=damaged.name, folder="2024-2025")
    assert batch is None
    lost = [e for e in plan.errors if "cohort would be lost" in e.reason]
    assert lost and {e.column for e in lost} == {"TFSM6CLA1A"}
    assert snapshot() == before


def test_file_cut_short_imports_only_after_the_preview_says_so(tmp_path):
    lines = KS2.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    cut = tmp_path / "2024-2025" / "919_ks2final.csv"
    cut.parent.mkdir()
    cut.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")  # the first half: no LA or England rows
    plan = build_plan(data=cut.read_bytes(), file_name=cut.name, folder="2024-2025")
    assert not plan.errors
    assert plan.warnings[0].reason.startswith(
        "The file has no LA row (RECTYPE 3) and no England rows (RECTYPE 4, 5): it may have been cut short."
    )
    out = run_cli(cut, "--dry-run")
    assert "it may have been cut short" in out
    assert not Result.objects.exists()


# --------------------------------------------------------------------------- measure availability is data
def test_a_measure_outside_its_listed_years_imports_with_a_note(tmp_path):
    header, rows = real_rows(KS2)
    progress = header.index("READPROG")
    for row in rows:
        if row[0] == "1":
            row[progress] = "0.4"  # KS2 progress is published again for 2025/26
    path = write(tmp_path / "2025-2026" / "919_ks2final.csv", header, rows)
    plan, batch = import_file(data=path.read_bytes(), file_name=path.name, folder="2025-2026")
    assert batch is not None and batch.results_year == 2026
    notes = [w for w in plan.warnings if "outside the years listed" in w.reason and "ks2_read_prog" in w.reason]
    assert len(notes) == 1 and notes[0].column == "results_year"
    assert (
        float(
            Result.objects.get(
                school__urn=151078, results_year=2026, measure__code="ks2_read_prog", pupil_group__code="all"
            ).value
        )
        == 0.4
    )


# --------------------------------------------------------------------------- the web preview
def test_web_preview_states_year_status_coverage_and_unused_columns(role_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    header, rows = real_rows(KS2)
    path = write(tmp_path / "919_ks2provisional.csv", header, rows)
    upload = io.BytesIO(path.read_bytes())
    upload.name = "919_ks2provisional.csv"  # a browser sends the name only: the folder is typed in the form
    client = role_client("admin")  # a data manager imports for their own LA only (Demoshire)
    response = client.post(
        reverse("schools:imports"), {"file": upload, "format": "auto", "folder": "2024-2025", "results_status": ""}
    )
    batch = ImportBatch.objects.latest("pk")
    assert (batch.status, batch.results_year) == (ImportBatch.Status.PREVIEWED, 2025)
    page = client.get(response["Location"]).content.decode()
    assert "2025 (from the folder name (2024-2025))" in page
    assert "provisional (from the file name (919_ks2provisional.csv))" in page
    # The 12 real school rows: all mainstream primaries with pupils and a figure.
    assert "Figures for 12 of 12 open schools of this phase (ks2_rwm_exp, all pupils)" in page
    assert "Columns not used" in page and "PTSCITA_EXP" in page
    client.post(reverse("schools:import_confirm", args=[batch.pk]))
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.COMMITTED
    assert Result.objects.filter(school__urn=151078, status="provisional").exists()


def test_measure_page_says_why_progress_is_not_published(client, django_user_model, tmp_path):
    """A head reading KS2 reading progress for 2024/25 meets "NP" with the reason beside it, never a zero."""
    header, rows = real_rows(KS2)
    path = write(tmp_path / "2024-2025" / "919_ks2final.csv", header, rows)
    import_file(data=path.read_bytes(), file_name=path.name, folder="2024-2025")
    school = Result.objects.filter(results_year=2025, measure__code="ks2_read_prog").first().school
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.org", "pw"))

    page = client.get(reverse("schools:school_measure", args=[school.urn, "ks2_read_prog"])).content.decode()
    assert (
        "NP (not published) in 2024/25: the DfE published no KS2 progress scores for 2023/24 and 2024/25: those "
        "pupils had no KS1 results (KS1 assessments were cancelled in 2019/20 and 2020/21)." in page
    )
    assert 'title="Not published by the DfE for this year">NP<' in page
    assert 'class="chart-figure"' not in page  # nothing published, so no empty chart either
    # A measure the DfE did publish that year carries no such note, and has its chart.
    page = client.get(reverse("schools:school_measure", args=[school.urn, "ks2_rwm_exp"])).content.decode()
    assert "NP (not published)" not in page
    assert 'class="chart-figure"' in page
