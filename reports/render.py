"""Turn a Document into a download: PDF or Word, one function for the views and the command."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils.text import slugify

from .document import Document
from .pdf import render_pdf

FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def render(document: Document, fmt: str) -> bytes:
    if fmt == "pdf":
        return render_pdf(document)
    if fmt == "docx":
        from .word import render_docx  # python-docx (and lxml) load only when a Word file is asked for

        return render_docx(document)
    raise ValueError(f"Unknown document format {fmt!r}: use pdf or docx.")


def download(document: Document, fmt: str, filename: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("No such format.")
    response = HttpResponse(render(document, fmt), content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename) or "report"}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response
