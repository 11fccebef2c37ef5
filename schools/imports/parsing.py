"""What every format parser shares: its result (:class:`Parsed`), required columns, years, figure cells and
benchmark geographies, each checked for every row with the row and column named."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from . import mapping
from .problems import Problem, collect
from .readers import Parsed as Figures
from .readers import Table, parse_figures

STATUSES = ("provisional", "revised", "final")
YEAR_PATTERN = r"^\d{4}$"


@dataclass
class Parsed:
    """What a parser found: facts, organisations to create, problems."""

    facts: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    new_schools: list[dict] = field(default_factory=list)
    new_las: dict[str, str] = field(default_factory=dict)  # code → name
    la_names: dict[str, str] = field(default_factory=dict)
    layout: dict = field(default_factory=dict)  # DfE files: what of the file is used (for the preview)

    def take_facts(self) -> pd.DataFrame:
        """The facts, handed over: ``facts`` is left empty, so the caller holds the only reference."""
        facts, self.facts = self.facts, self.facts.iloc[:0].copy()  # a copy: a slice would keep the rows alive
        return facts


def require(table: Table, columns, problems: list[Problem]) -> bool:
    missing = [c for c in columns if not table.has(c)]
    for name in missing:
        problems.append(Problem(row=1, column=name, value="", reason="Missing required column."))
    return not missing


def per_text(cells: pd.Series, work) -> pd.Series:
    """``work`` (a function of a Series of texts, element-wise) of each distinct text once, spread back to
    every cell: a long file's 100,000 rows hold a few hundred distinct years, codes or URNs."""
    positions, distinct = pd.factorize(cells, use_na_sentinel=False)
    done = work(pd.Series(distinct, dtype=object))
    return pd.Series(done.to_numpy()[positions], index=cells.index, name=cells.name)


def parse_year(cells: pd.Series, rows, problems, column="results_year") -> pd.Series:
    text = per_text(cells, lambda texts: texts.astype(str).str.strip())
    ok = per_text(text, lambda texts: texts.str.match(YEAR_PATTERN)).astype(bool)
    collect(
        problems,
        ~ok,
        rows=rows,
        column=column,
        values=text,
        reason="Wrong year format: write the results year as four digits, e.g. 2024 for 2023/24.",
    )
    return per_text(text.where(ok), lambda texts: pd.to_numeric(texts, errors="coerce"))


NOT_A_FIGURE = "Not a number or a known marker (SUPP, NE, NP, NA, LOWCOV, NEW, x, c, z, low, :, -)."


def checked_figures(
    cells: pd.Series, rows, problems: list[Problem], *, column: str, skip=None, reason: str = NOT_A_FIGURE
) -> Figures:
    """The cells parsed (:func:`.readers.parse_figures`), with an error naming ``column`` for each cell that is
    neither a number nor a marker — but for the rows ``skip`` marks (rows the parser leaves out anyway)."""
    parsed = parse_figures(cells)
    invalid = parsed.invalid if skip is None else parsed.invalid & ~skip
    collect(problems, invalid, rows=rows, column=column, values=cells, reason=reason)
    return parsed


def figure(table: Table, name: str, rows, problems, *, reason_column=None) -> Figures:
    return checked_figures(table.column(name), rows, problems, column=reason_column or name)


def resolve_geographies(
    facts: pd.DataFrame, codes: pd.Series, names: pd.Series, rows, problems, *, column: str
) -> pd.DataFrame:
    """England, a region (ONS or LAIT code) or a 3-digit LA code → geography code, name and kind."""
    known = mapping.geographies()
    codes = codes.astype(str).str.strip()
    looked_up = codes.map(known)
    is_la = codes.str.match(r"^\d{3}$") & looked_up.isna()
    bad = looked_up.isna() & ~is_la
    collect(
        problems,
        bad,
        rows=rows,
        column=column,
        values=codes,
        reason="Unknown geography: use E92000001 (England), a region code (E12…) or a 3-digit LA code.",
    )
    geo = looked_up.map(lambda t: t[0] if isinstance(t, tuple) else None).where(~is_la, codes)
    name = looked_up.map(lambda t: t[1] if isinstance(t, tuple) else "").where(~is_la, names.astype(str).str.strip())
    kind = looked_up.map(lambda t: t[2] if isinstance(t, tuple) else "").where(~is_la, "la")
    facts = facts.copy()
    facts["geography_code"] = geo.to_numpy()
    facts["geography_name"] = name.fillna("").to_numpy()
    facts["kind"] = kind.fillna("").to_numpy()
    return facts
