"""Reading generated documents back with libraries (never by eye): pypdf for PDF, python-docx for Word."""

from __future__ import annotations

import io

import pypdf
from docx import Document as WordDocument


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_title(data: bytes) -> str | None:
    return pypdf.PdfReader(io.BytesIO(data)).metadata.title


def pdf_structure_tags(data: bytes) -> set[str]:
    """The structure types in the PDF's tag tree (empty when the PDF is not tagged)."""
    root = pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]
    if "/StructTreeRoot" not in root:
        return set()
    seen: set[str] = set()

    def walk(node):
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if "/S" in node:
                seen.add(str(node["/S"]).lstrip("/"))
            if "/K" in node:
                walk(node["/K"])
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(root["/StructTreeRoot"])
    return seen


def docx_read(data: bytes):
    return WordDocument(io.BytesIO(data))


def docx_headings(data: bytes) -> list[tuple[str, str]]:
    """(style, text) of every heading paragraph."""
    word = docx_read(data)
    return [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")]


def docx_tables(data: bytes) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in docx_read(data).tables]


def docx_text(data: bytes) -> str:
    word = docx_read(data)
    parts = [p.text for p in word.paragraphs]
    parts += [cell for table in docx_tables(data) for row in table for cell in row]
    return "\n".join(parts)


def pdf_is_ua(data: bytes) -> bool:
    """Declared PDF/UA (pdfuaid in the XMP metadata) and set to show its title, not its file name."""
    root = pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]
    declared = b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    return declared and bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle"))


def all_pupils_add_up(school, changed):
    """Keep all pupils = disadvantaged + other pupils after a test edits the disadvantaged row."""
    from schools.models import Result

    def row(group):
        return Result.objects.get(
            school=school, results_year=changed.results_year, measure=changed.measure, pupil_group__code=group
        )

    other, everyone = row("not_disadvantaged"), row("all")
    everyone.cohort = other.cohort + changed.cohort
    everyone.achievers = other.achievers + changed.achievers
    everyone.value = round(100 * everyone.achievers / everyone.cohort, 2)
    everyone.save()
