"""Bad input: each gets a clear message naming the row and column, nothing is written, the command line exits
with an error (CommandError: exit status 1, no traceback), and files built to exhaust memory are refused
within a stated bound (measured in a subprocess: its peak resident memory, ``ru_maxrss``)."""

import io
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from schools.imports.committing import import_file
from schools.imports.planning import build_plan
from schools.imports.readers import FileProblem, Limits, read_table
from schools.models import ImportBatch, LocalAuthority, Result, School

pytestmark = pytest.mark.django_db

HEADER = "urn,results_year,measure,pupil_group,cohort,achievers,points,value\n"
GOOD = "100001,2024,ks2_rwm_exp,not_disadvantaged,30,14,,\n"
REPO = Path(__file__).resolve().parent.parent
# A 50 MB upload is read in under this much memory (the whole process: Python, Django and pandas included).
MEMORY_BOUND_MB = 500


@pytest.fixture
def schools(db):
    la = LocalAuthority.objects.create(code="999", name="Testshire")
    return [School.objects.create(urn=100001 + i, la=la, name=f"School {i + 1}") for i in range(2)]


def nothing_written():
    return not Result.objects.exists() and not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    "row, columns, reason",
    [
        ("100001,2024,ks2_rwm_exp,disadvantaged,inf,,,50", ["cohort"], "Not a number"),
        ("100001,2024,ks2_rwm_exp,disadvantaged,nan,,,50", ["cohort"], "Not a number"),
        ("100001,2024,ks2_rwm_exp,disadvantaged,1e22,,,50", ["cohort"], "from 0 to 1,000,000"),
        ("100001,2024,ks2_rwm_exp,disadvantaged,3e9,,,50", ["cohort"], "from 0 to 1,000,000"),
        ("100001,2024,ks2_rwm_exp,disadvantaged,3000000,3000000,,", ["cohort", "achievers"], "from 0 to 1,000,000"),
        ("100001,2024,ks2_read_avg,disadvantaged,18,,,500", ["value"], "range of ks2_read_avg: from 80 to 120"),
        ("100001,2024,ks2_read_avg,disadvantaged,18,,,-inf", ["value"], "Not a number"),
        ("100001,2024,ks4_att8,disadvantaged,18,,,91", ["value"], "from 0 to 90"),
        ("100001,2024,ks2_rwm_exp,disadvantaged,18,,,1e22", ["value"], "between 0 and 100"),
    ],
)
def test_out_of_range_numbers_are_errors_in_the_preview(schools, row, columns, reason):
    plan, batch = import_file(data=(HEADER + GOOD + row + "\n").encode(), file_name="r.csv", format="long")
    assert batch is None
    assert [(e.row, e.column) for e in plan.errors] == [(3, c) for c in columns], plan.errors
    assert all(reason in e.reason for e in plan.errors)
    assert nothing_written()


def test_command_line_refuses_huge_cohort_without_a_traceback(schools, tmp_path, capsys):
    path = tmp_path / "results.csv"
    path.write_text(HEADER + "100001,2024,ks2_rwm_exp,disadvantaged,3e9,,,50\n")
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_results", str(path), "--format", "long")
    assert "row 2, column cohort" in capsys.readouterr().err
    assert nothing_written()


def test_register_pupil_numbers_too_large_are_errors(schools):
    text = "URN,LA (code),EstablishmentName,NumberOfPupils\n100001,999,School 1,1e22\n100002,999,School 2,300\n"
    plan, batch = import_file(data=text.encode(), file_name="gias.csv", format="register")
    assert batch is None and [(e.row, e.column) for e in plan.errors] == [(2, "NumberOfPupils")]
    assert School.objects.get(urn=100002).number_on_roll is None


def test_all_problems_are_reported_in_one_pass(schools):
    """A bad URN, an unknown measure and an impossible figure in one file: all three, not one stage at a time."""
    text = HEADER + (
        "10000X,2024,ks2_rwm_exp,disadvantaged,18,9,,\n"
        "100001,2024,ks2_nonsense,disadvantaged,18,9,,\n"
        "100002,2024,ks2_rwm_exp,disadvantaged,18,20,,\n"
    )
    plan = build_plan(data=text.encode(), file_name="r.csv", format="long")
    found = {(e.row, e.column) for e in plan.errors}
    assert found == {(2, "urn"), (3, "measure"), (4, "achievers")}, plan.errors


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_are_read(schools, encoding):
    text = "URN,LA (code),LA (name),EstablishmentName\n100001,999,Testshire,St Ælfred’s Primary – Café\n"
    plan, batch = import_file(data=text.encode(encoding), file_name="gias.csv", format="register")
    assert not plan.errors, plan.errors
    assert School.objects.get(urn=100001).name == "St Ælfred’s Primary – Café"


def test_damaged_utf16_is_named_as_such(schools):
    data = "URN,LA (code)\n".encode("utf-16") + b"\x00\xd8\x00\x00"  # an unpaired surrogate
    plan = build_plan(data=data, file_name="gias.csv", format="register")
    assert "not readable text as UTF-16" in plan.errors[0].reason
    assert "binary" not in plan.errors[0].reason


def test_header_width_and_cell_limits():
    wide = (",".join(f"c{i}" for i in range(2_001)) + "\n" + "1," * 2_000 + "1\n").encode()
    with pytest.raises(FileProblem, match="2,001 columns; the most accepted is 2,000"):
        read_table(wide, limits=Limits(max_columns=2_000))
    assert len(read_table(wide, limits=Limits.none()).columns) == 2_001
    many = ("a,b\n" + "1,2\n" * 11).encode()
    with pytest.raises(FileProblem, match="more than 5 rows of 2 columns"):
        read_table(many, limits=Limits(max_cells=10))
    with pytest.raises(FileProblem, match="largest file accepted"):
        read_table(many, limits=Limits(max_bytes=10))


def test_command_line_applies_the_limits_unless_lifted(schools, tmp_path, settings):
    settings.GAPMONITOR_MAX_UPLOAD_BYTES = 100
    path = tmp_path / "results.csv"
    path.write_text(HEADER + GOOD)  # 114 bytes
    with pytest.raises(CommandError, match="largest file accepted is 0.0 MB .--no-limits"):
        call_command("import_results", str(path), "--format", "long")
    assert nothing_written()
    call_command("import_results", str(path), "--format", "long", "--no-limits", stdout=io.StringIO())
    assert Result.objects.get().achievers == 14
    settings.GAPMONITOR_MAX_UPLOAD_BYTES = 10_000
    settings.GAPMONITOR_IMPORT_MAX_COLUMNS = 5
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_results", str(path), "--format", "long", stderr=io.StringIO())
    for command in ("import_schools", "import_neighbours"):
        with pytest.raises(CommandError, match="1 error"):
            call_command(command, str(path), stderr=io.StringIO())


# --------------------------------------------------------------------------- memory, measured in a subprocess
PEAK_SCRIPT = textwrap.dedent("""
    import os, resource, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = "gapmonitor.test_settings"
    import django
    django.setup()
    from schools.imports.planning import build_plan
    data = open(sys.argv[1], "rb").read()
    plan = build_plan(data=data, file_name=os.path.basename(sys.argv[1]))
    print(plan.errors[0].reason if plan.errors else "accepted")
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
""")


def peak(path: Path) -> tuple[str, int]:
    """(the first error, the peak resident memory in MB) of checking ``path`` in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, str(path)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    message, megabytes = done.stdout.strip().splitlines()[-2:]
    return message, int(megabytes)


def test_million_column_csv_is_refused_in_bounded_memory(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(1_000_000)) + "\n" + "1," * 999_999 + "1\n")  # 8.9 MB
    message, megabytes = peak(path)
    assert "1,000,000 cells; the most columns accepted is 2,000" in message
    assert megabytes < MEMORY_BOUND_MB, megabytes
    # The command line: the same message, exit status 1, no traceback.
    done = subprocess.run(
        [sys.executable, "manage.py", "import_results", str(path), "--dry-run"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "gapmonitor.test_settings"},
    )
    assert done.returncode == 1
    assert "Row 1 has 1,000,000 cells; the most columns accepted is 2,000" in done.stderr
    assert "Traceback" not in done.stderr


def test_xlsx_that_expands_hugely_is_refused_in_bounded_memory(tmp_path):
    path = tmp_path / "bomb.xlsx"
    row = b"<row><c><v>1</v></c></row>" * 40_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(220):  # 218 MB once unzipped, about 0.3 MB zipped
                sheet.write(row)
    assert path.stat().st_size < 2 * 1024 * 1024
    message, megabytes = peak(path)
    assert "expands to 218.2 MB when opened; the most accepted is 200.0 MB" in message
    assert megabytes < MEMORY_BOUND_MB, megabytes
