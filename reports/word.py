"""Word (.docx) with python-docx: the document title in the file's properties, Word's own heading styles
(so the navigation pane and screen readers see the structure), real tables with a repeating header row, and
charts as PNG pictures with alt text (Word cannot embed SVG)."""

from __future__ import annotations

import io

from docx import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .document import Bullets, Chart, Document, Heading, Paragraph, Table


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _table(word, block: Table) -> None:
    caption = word.add_paragraph(style="Caption")
    caption.add_run(block.caption)
    table = word.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(text)).bold = True
    _repeat_header(table.rows[0])
    for values in block.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = str(text)
    if block.note:
        note = word.add_paragraph()
        run = note.add_run(block.note)
        run.font.size = Pt(8)


def _chart(word, block: Chart) -> None:
    word.add_picture(io.BytesIO(block.png), width=Cm(16.5))
    picture = word.inline_shapes[-1]
    picture._inline.docPr.set("descr", block.alt)
    picture._inline.docPr.set("title", block.caption)
    word.add_paragraph(block.caption, style="Caption")


def render_docx(document: Document) -> bytes:
    word = WordDocument()
    word.core_properties.title = document.title
    word.core_properties.author = document.author
    word.core_properties.language = "en-GB"
    section = word.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    style = word.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10)
    word.add_heading(document.title, level=1)
    if document.subtitle:
        subtitle = word.add_paragraph().add_run(document.subtitle)
        subtitle.font.color.rgb = RGBColor(0x50, 0x5A, 0x5F)
    for block in document.blocks:
        if isinstance(block, Heading):
            word.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            word.add_paragraph(block.text)
        elif isinstance(block, Bullets):
            for item in block.items:
                word.add_paragraph(item, style="List Bullet")
        elif isinstance(block, Table):
            _table(word, block)
        elif isinstance(block, Chart):
            _chart(word, block)
    if document.footer:
        section.footer.paragraphs[0].text = document.footer
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
