"""PDF with Typst: PDF/UA-1 (tagged: a structure tree for screen readers), with a document title, real
headings, table headers and alt text on every chart. The layout is ``typst/report.typ``; the content goes in as JSON
through ``sys.inputs`` and is read with Typst's ``json()``, so no user text is ever parsed as markup."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from .document import Document

TEMPLATE = Path(__file__).with_name("typst") / "report.typ"


@lru_cache(maxsize=1)
def _font_paths() -> list[str]:
    """DejaVu Sans from matplotlib's own files: the same font on every machine, no system fonts needed."""
    import matplotlib  # heavy, and only its data path is needed: loaded on the first PDF

    return [str(Path(matplotlib.get_data_path()) / "fonts" / "ttf")]


def render_pdf(document: Document, *, png: bool = False, ppi: float = 110) -> bytes:
    """The document as PDF bytes (or, with ``png=True``, its first page as a PNG picture)."""
    import typst  # the typesetter is heavy and only needed when a PDF is asked for

    inputs = {"document": json.dumps(document.as_data())}
    for index, chart in enumerate(document.charts()):
        inputs[f"chart{index}"] = chart.svg
    # PDF/UA-1: Typst refuses to write the PDF unless it meets the standard (title, alt text, tagged structure).
    options = {"format": "png", "ppi": ppi} if png else {"format": "pdf", "pdf_standards": ["ua-1"]}
    result = typst.compile(
        TEMPLATE.read_bytes(), font_paths=_font_paths(), ignore_system_fonts=True, sys_inputs=inputs, **options
    )
    return result[0] if isinstance(result, list) else result
