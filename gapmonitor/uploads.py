"""Checking an uploaded file by its content, never by its name.

A file's name is whatever the uploader typed, so it decides nothing: a PNG renamed ``results.csv`` or a
ZIP archive renamed ``report.xlsx`` is refused with a message saying what the file really is. ZIP-based
formats (XLSX, DOCX, PPTX, OpenDocument) are also refused when they would expand to more than
``GAPMONITOR_MAX_UNCOMPRESSED_BYTES`` (a "zip bomb").
"""

from __future__ import annotations

import io
import os
import zipfile

from django.core.exceptions import ValidationError

from gapmonitor.conf import conf

# What each extension's content must be.
EXPECTED_KIND = {
    ".pdf": "pdf",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".xlsx": "xlsx",
    ".docx": "docx",
    ".pptx": "pptx",
    ".odt": "odt",
    ".ods": "ods",
    ".doc": "ole",
    ".xls": "ole",
    ".csv": "text",
    ".txt": "text",
}
KIND_NAMES = {
    "pdf": "a PDF document",
    "png": "a PNG image",
    "jpeg": "a JPEG image",
    "gif": "a GIF image",
    "xlsx": "an Excel (XLSX) workbook",
    "docx": "a Word (DOCX) document",
    "pptx": "a PowerPoint (PPTX) file",
    "odt": "an OpenDocument text",
    "ods": "an OpenDocument spreadsheet",
    "zip": "a ZIP archive",
    "ole": "an old Office 97–2003 file",
    "text": "a text file",
    "binary": "a binary file",
    "executable": "a program",
}
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"MZ", "executable"),
    (b"\x7fELF", "executable"),
)
_ZIP_MARKERS = (("xl/workbook.xml", "xlsx"), ("word/document.xml", "docx"), ("ppt/presentation.xml", "pptx"))


class UploadRefused(ValidationError):
    """The upload is not what it claims to be (or is unsafe to open)."""


def zip_kind(data: bytes) -> str:
    """ "xlsx", "docx", "pptx", "odt", "ods" or "zip" (any other archive). Refuses an archive that would expand
    beyond the limit or that cannot be read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            if sum(m.file_size for m in members) > conf.max_uncompressed_bytes:
                raise UploadRefused(
                    "The file expands to more than the largest size accepted: it cannot be opened safely."
                )
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100]
                if mimetype == b"application/vnd.oasis.opendocument.text":
                    return "odt"
                if mimetype == b"application/vnd.oasis.opendocument.spreadsheet":
                    return "ods"
    except zipfile.BadZipFile as exc:
        raise UploadRefused("The file is a damaged ZIP archive and cannot be opened.") from exc
    for marker, kind in _ZIP_MARKERS:
        if marker in names and "[Content_Types].xml" in names:
            return kind
    return "zip"


def content_kind(data: bytes) -> str:
    """What the bytes are, from their first bytes (and, for ZIP-based formats, the archive's contents)."""
    if data.startswith(b"PK\x03\x04"):
        return zip_kind(data)
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    head = data[:8192]
    if b"\x00" in head:
        return "binary"
    for encoding in ("utf-8", "cp1252"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            if encoding == "utf-8" and exc.start >= len(head) - 3:
                return "text"  # a multi-byte character cut by the 8 KB window
            continue
        return "text"
    return "binary"


def check_content(data: bytes, file_name: str, *, allowed: dict[str, str] | None = None) -> str:
    """The file's kind when its content matches its extension; ``UploadRefused`` (a clear message) otherwise."""
    allowed = EXPECTED_KIND if allowed is None else allowed
    ext = os.path.splitext(file_name or "")[1].lower()
    if ext not in allowed:
        raise UploadRefused(f"Files of type {ext or '(no extension)'} are not accepted.")
    if not data:
        raise UploadRefused("The file is empty.")
    kind = content_kind(data)
    if kind != allowed[ext]:
        raise UploadRefused(
            f"The file is named {ext} but its content is {KIND_NAMES.get(kind, kind)}, not "
            f"{KIND_NAMES.get(allowed[ext], allowed[ext])}: upload the file in the format its name says."
        )
    return kind
