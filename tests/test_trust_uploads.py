"""Trust: uploads are limited in size, checked by content (never by name), stored under generated names
inside MEDIA_ROOT, and XLSX is parsed as data only (no formula evaluation, no macros)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gapmonitor.uploads import UploadRefused, check_content, content_kind
from ragboard.models import EvidenceItem
from schools.imports.committing import import_file
from schools.imports.problems import Problem, problems_csv
from schools.models import ImportBatch, LocalAuthority, Profile, Result, School
from schools.roles import Role

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
LONG_CSV = (
    b"urn,results_year,measure,pupil_group,cohort,achievers,points,value\n"
    b"100001,2024,ks2_rwm_exp,disadvantaged,18,9,,\n"
)
FORMULA = "=cmd|' /C calc'!A0"


def plain_zip() -> bytes:
    """The same bytes every time (a fixed file date): the bytes name the parametrized tests, and every
    pytest-xdist worker must collect the same names."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("notes.txt", date_time=(2024, 1, 1, 0, 0, 0)), "not a workbook")
    return buffer.getvalue()


def workbook(rows, *, formula_cells=()) -> bytes:
    """An XLSX with the given rows; cells listed in ``formula_cells`` are written as formulas, the rest as text."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str) and value.startswith("=") and (r, c) not in formula_cells:
                cell.data_type = "s"  # stored as a string that merely starts with "="
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def la(db):
    la = LocalAuthority.objects.create(code="998", name="Uploadshire")
    School.objects.create(urn=100001, la=la, name="School 1")
    return la


def signed_in(username, role, la) -> Client:
    user = User.objects.create_user(username, password="x-very-long-password-1")
    user.groups.add(Group.objects.get(name=role))
    Profile.objects.create(user=user, la=la)
    client = Client()
    client.force_login(user)
    return client


# --------------------------------------------------------------------------- content, not name
@pytest.mark.parametrize(
    "data, name, said",
    [
        (PNG, "results.csv", "content is a PNG image"),
        (plain_zip(), "results.xlsx", "content is a ZIP archive"),
        (plain_zip(), "notes.csv", "content is a ZIP archive"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "report.pdf", "content is a program"),
        (b"%PDF-1.7 ...", "picture.png", "content is a PDF document"),
    ],
)
def test_content_must_match_the_name(data, name, said):
    with pytest.raises(UploadRefused, match=said):
        check_content(data, name)


def test_real_files_pass():
    assert check_content(LONG_CSV, "Results.CSV") == "text"
    assert check_content(PNG, "chart.png") == "png"
    assert check_content(workbook([["a"], ["1"]]), "book.xlsx") == "xlsx"
    assert content_kind("é,£\n".encode("cp1252")) == "text"  # Windows-1252 text is still text


def test_zip_bomb_refused(settings):
    settings.GAPMONITOR_MAX_UNCOMPRESSED_BYTES = 1000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "x")
        archive.writestr("xl/workbook.xml", "0" * 5000)  # 5,000 bytes expanded > 1,000 allowed; ~30 compressed
    with pytest.raises(UploadRefused, match="expands to more than"):
        check_content(buffer.getvalue(), "book.xlsx")


# --------------------------------------------------------------------------- the import upload
class TestImportUpload:
    @pytest.mark.parametrize(
        "data, name, said",
        [
            (PNG, "results.csv", "binary data"),
            (plain_zip(), "results.csv", "ZIP archive"),
            (plain_zip(), "results.xlsx", "ZIP archive"),
        ],
    )
    def test_mistyped_file_refused_nothing_written(self, la, media, data, name, said):
        client = signed_in("dm", Role.DATA_MANAGER, la)
        response = client.post("/imports/", {"file": SimpleUploadedFile(name, data), "format": "auto"})
        assert response.status_code == 200  # the form again, with the reason
        assert said in response.content.decode()
        assert ImportBatch.objects.count() == 0 and Result.objects.count() == 0
        assert files_under(media) == []

    def test_oversize_refused_nothing_written(self, la, media, settings):
        settings.GAPMONITOR_MAX_UPLOAD_BYTES = 40  # the file is 96 bytes
        client = signed_in("dm", Role.DATA_MANAGER, la)
        response = client.post("/imports/", {"file": SimpleUploadedFile("r.csv", LONG_CSV), "format": "auto"})
        assert response.status_code == 200
        assert "The file is 0.0 MB; the largest file accepted is 0.0 MB" in response.content.decode()
        assert ImportBatch.objects.count() == 0 and files_under(media) == []

    def test_kept_file_has_a_generated_name_inside_media_root(self, la, media):
        client = signed_in("dm", Role.DATA_MANAGER, la)
        name = "../../Jane Smith pupils.csv"
        response = client.post("/imports/", {"file": SimpleUploadedFile(name, LONG_CSV), "format": "auto"})
        assert response.status_code == 302
        batch = ImportBatch.objects.get()
        assert re.fullmatch(r"imports/[0-9a-f]{32}\.upload", batch.stored_file)
        [kept] = files_under(media)
        assert kept.resolve().is_relative_to(media.resolve()) and "Jane" not in str(kept)
        assert batch.file_name == "Jane Smith pupils.csv"  # shown to the user, never used as a path


class TestXlsxParsedSafely:
    def test_formula_text_is_data_never_run(self, la):
        header = ["urn", "results_year", "measure", "pupil_group", "cohort", "achievers", "points", "value"]
        data = workbook([header, ["100001", "2024", "ks2_rwm_exp", "disadvantaged", "18", FORMULA, "", ""]])
        plan, batch = import_file(data=data, file_name="x.xlsx", format="auto", results_year=None)
        # The cell is read as the text it holds and refused as a figure: all-or-nothing, nothing written.
        assert [p.value for p in plan.errors if p.column == "achievers"] == [FORMULA]
        assert Result.objects.count() == 0
        # The problem list echoes the value, neutralised for spreadsheets.
        assert f"'{FORMULA}" in problems_csv(plan.errors)

    def test_real_formula_cell_is_not_evaluated(self, la):
        header = ["urn", "results_year", "measure", "pupil_group", "cohort", "achievers", "points", "value"]
        data = workbook(
            [header, ["100001", "2024", "ks2_rwm_exp", "disadvantaged", "18", "=4+5", "", ""]], formula_cells={(2, 6)}
        )
        plan, _batch = import_file(data=data, file_name="x.xlsx", format="auto", results_year=None)
        # Read with data_only: a formula with no cached result is a blank cell — never 9, never run — so the
        # row has no figure at all and is refused; nothing is written.
        assert [(p.row, p.column, p.value) for p in plan.errors] == [(2, "value", "")]
        assert "No figure" in plan.errors[0].reason
        assert Result.objects.count() == 0

    def test_problems_csv_neutralises_every_formula_start(self):
        rows = problems_csv(
            [
                Problem(row=2, column=c, value=v, reason="bad")
                for c, v in (("a", "=1+1"), ("b", "+1"), ("c", "-1+A1"), ("d", "@SUM(A1)"), ("e", "plain"))
            ]
        )
        lines = rows.splitlines()[1:]
        assert [line.split(",")[2] for line in lines] == ["'=1+1", "'+1", "'-1+A1", "'@SUM(A1)", "plain"]


# --------------------------------------------------------------------------- the evidence upload
def evidence_post(upload):
    return {
        "kind": EvidenceItem.Kind.DATA,
        "title": "Pupil premium review",
        "date": "2025-01-10",
        "summary": "What the review found.",
        "file": upload,
        "link": "",
        "impact_strength": "",
    }


class TestEvidenceUpload:
    @pytest.mark.parametrize(
        "data, name, said",
        [
            (PNG, "results.csv", "named .csv but its content is a PNG image"),
            (plain_zip(), "analysis.xlsx", "named .xlsx but its content is a ZIP archive"),
            (b"MZ\x90\x00", "report.pdf", "named .pdf but its content is a program"),
        ],
    )
    def test_mistyped_file_refused_nothing_written(self, la, media, data, name, said):
        client = signed_in("officer", Role.LA_OFFICER, la)
        response = client.post("/ragboard/evidence/new/", evidence_post(SimpleUploadedFile(name, data)))
        assert response.status_code == 400
        assert said in response.content.decode()
        assert EvidenceItem.objects.count() == 0 and files_under(media) == []

    def test_oversize_refused_nothing_written(self, la, media, settings):
        settings.GAPMONITOR_MAX_UPLOAD_BYTES = 10  # smaller than the 96-byte file
        client = signed_in("officer", Role.LA_OFFICER, la)
        response = client.post("/ragboard/evidence/new/", evidence_post(SimpleUploadedFile("r.csv", LONG_CSV)))
        assert response.status_code == 400
        assert "The file is larger than" in response.content.decode()
        assert EvidenceItem.objects.count() == 0 and files_under(media) == []

    def test_stored_under_generated_name_inside_media_root(self, la, media):
        client = signed_in("officer", Role.LA_OFFICER, la)
        upload = SimpleUploadedFile("../../../Jane Smith SEN list.csv", LONG_CSV)
        response = client.post("/ragboard/evidence/new/", evidence_post(upload))
        assert response.status_code == 302
        item = EvidenceItem.objects.get()
        assert re.fullmatch(r"ragboard/evidence/[0-9a-f]{32}\.csv", item.file.name)
        [kept] = files_under(media)
        assert kept.resolve().is_relative_to(media.resolve()) and "Jane" not in str(kept)
        assert kept.read_bytes() == LONG_CSV
        # Downloaded only through the scoped view, under a name with no path in it.
        download = client.get(f"/ragboard/evidence/{item.pk}/file/")
        assert download.status_code == 200 and ".." not in download["Content-Disposition"]
