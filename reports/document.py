"""A report as plain blocks (headings, paragraphs, lists, tables, charts), rendered to PDF by
``reports.pdf`` and to Word by ``reports.word``: one content, two formats, so they never disagree.

Text stays text: renderers pass it as data, never as markup, so a school called "St Mary's #1 [C of E]"
prints as written.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from functools import cached_property

import matplotlib
from matplotlib.figure import Figure

from gapmonitor.conf import conf
from schools.gaps import code_label


@dataclass
class Heading:
    text: str
    level: int = 2
    kind: str = "heading"


@dataclass
class Paragraph:
    text: str
    kind: str = "paragraph"


@dataclass
class Bullets:
    items: list[str]
    kind: str = "bullets"


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""
    kind: str = "table"


def table_section(heading: str, *, caption: str, headers: list[str], rows: list[list[str]], note: str = "") -> list:
    """A section that is one table: its heading, then the table."""
    return [Heading(heading), Table(caption=caption, headers=headers, rows=rows, note=note)]


@dataclass
class Chart:
    """A chart drawn server-side: ``svg`` for the PDF (vector), ``png`` for Word (which cannot embed SVG).
    ``figure`` is a matplotlib Figure, saved only in the format a renderer asks for."""

    caption: str
    alt: str
    figure: Figure = field(repr=False)
    kind: str = "chart"

    @cached_property
    def svg(self) -> str:
        buffer = io.StringIO()
        with matplotlib.rc_context(CHART_STYLE):
            self.figure.savefig(buffer, format="svg", metadata={"Date": None})
        return buffer.getvalue()

    @cached_property
    def png(self) -> bytes:
        buffer = io.BytesIO()
        with matplotlib.rc_context(CHART_STYLE):
            self.figure.savefig(buffer, format="png", dpi=160)
        return buffer.getvalue()


# Deterministic SVG ids, text drawn as paths (no font needed to show it), one font everywhere.
CHART_STYLE = {"svg.hashsalt": "gapmonitor", "svg.fonttype": "path", "font.size": 8, "font.family": "DejaVu Sans"}


@dataclass
class Document:
    title: str
    subtitle: str = ""
    blocks: list = field(default_factory=list)
    author: str = "gapmonitor"
    footer: str = ""

    def add(self, *blocks) -> Document:
        self.blocks.extend(b for b in blocks if b is not None)
        return self

    def charts(self) -> list[Chart]:
        return [b for b in self.blocks if isinstance(b, Chart)]

    def as_data(self) -> dict:
        """JSON-ready content; charts are referred to by key (their images travel separately)."""
        blocks, index = [], 0
        for block in self.blocks:
            if isinstance(block, Chart):
                blocks.append({"kind": "chart", "caption": block.caption, "alt": block.alt, "key": f"chart{index}"})
                index += 1
            else:
                blocks.append(asdict(block))
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "author": self.author,
            "footer": self.footer,
            "blocks": blocks,
        }


# --------------------------------------------------------------------------- wording shared by every report
def value_text(figure, measure) -> str:
    """45.2% / 102.35 / the marker (SUPP, SUPP2, x…) of a figure that has no value."""
    if figure is None or figure.value is None:
        return figure.marker() if figure is not None else "–"
    return f"{figure.value:.1f}%" if measure.is_percent else f"{figure.value:.2f}"


def gap_text(value) -> str:
    return "–" if value is None else f"{value:+.1f}".replace("-", "−")


def cohort_text(figure) -> str:
    """ "3,026", or "3,026 (2,575 in the figure)" when a pooled percentage rests on fewer pupils than the group
    holds (schools whose figures are suppressed or unpublished count in the group but not in the figure)."""
    if figure is None or figure.cohort is None:
        return "–"
    behind = figure.denominator if figure.value is not None else None
    if behind is not None and behind != figure.cohort:
        return f"{figure.cohort:,} ({behind:,} in the figure)"
    return f"{figure.cohort:,}"


def suppression_note() -> str:
    threshold = conf.suppression_threshold
    return (
        f"SUPP: {code_label('SUPP')}. SUPP2: {code_label('SUPP2')}. "
        f"Groups of 1 to {threshold - 1} pupils are never printed in a document, whoever produces it."
    )


def method_paragraph(focus_name: str, comparison_name: str) -> Paragraph:
    return Paragraph(
        f"How the figures are made: above school level a percentage is pooled — all achievers divided by all "
        f"pupils, never an average of school percentages. The gap is {comparison_name.lower()} minus "
        f"{focus_name.lower()} pupils, in percentage points (points for average scores), with the sign turned for "
        f"measures where lower is better: a positive gap always means {focus_name.lower()} pupils are behind. "
        f"England's gap is worked out the same way from the DfE's national figures. A trend compares the first and "
        f"last of the latest three published years (2019/20 and 2020/21 had no published results and are skipped). "
        f"Groups of fewer than {conf.suppression_threshold} pupils are suppressed (SUPP), and another figure is hidden "
        f"(SUPP2) where the suppressed one could otherwise be worked out."
    )
