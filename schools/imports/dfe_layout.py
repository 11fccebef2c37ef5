"""The DfE performance tables as published: which layout a file is, its year and status, and what in it is used.

The DfE's download puts the academic year in the folder (``2024-2025/919_ks2final.csv``) or nowhere
(``england_ks2provisional.csv``), and the status (provisional, revised, final) in the name. Headers change
spelling from year to year (``TNotFSM6CLA1A`` → ``TNOTFSM6CLA1A``) and carry the two previous years' figures
(``…_24``, ``…_23``; KS4 ``…_PREV``, ``…_PREV2``) and 3-year figures (``…_3YR``). See the DfE's metadata for
each year's "school performance tables" download (https://www.compare-school-performance.service.gov.uk/download-data).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..models import DataStatus, School
from .comparing import Diff
from .mapping import DfeColumn, column_key
from .problems import Problem

STATUSES = tuple(DataStatus.values)  # provisional, revised, final
KEY_STAGES = {"dfe-ks2": "KS2", "dfe-ks4": "KS4"}
# Columns that say which key stage a file is: a file with the other key stage's and none of its own is refused.
SIGNATURES = {"dfe-ks2": ("TELIG", "PTRWM_EXP"), "dfe-ks4": ("TPUP", "ATT8SCR")}
# Columns read to place a row (not figures).
IDENTITY = ("RECTYPE", "LEA", "ESTAB", "URN", "SCHNAME", "NFTYPE")
# School phases a key stage's figures are expected from (for "figures for N of M open schools").
PHASES = {"dfe-ks2": ("primary", "middle", "all_through"), "dfe-ks4": ("secondary", "middle", "all_through")}

ACADEMIC_YEAR = re.compile(r"(20\d\d)\s*[-_/]\s*(20\d\d|\d\d)(?!\d)")
EARLIER_SUFFIX = re.compile(r"_(1[4-9]|[23]\d)$")
EARLIER_INNER = re.compile(r"_(1[4-9]|[23]\d)_")
PREVIOUS = re.compile(r"_PREV\d?$")
THREE_YEAR = re.compile(r"_3YR$")


def academic_year(text: str) -> int | None:
    """2018-19 → 2019, 2024-2025 → 2025: the results year is the summer of the exams."""
    match = ACADEMIC_YEAR.search(text or "")
    if match:
        first, second = match.groups()
        year = int(second) if len(second) == 4 else int(first[:2] + second)
        if year == int(first) + 1:
            return year
    return None


def year_from_file_name(name: str) -> int | None:
    """2018-19 → 2019, 2016-2017 → 2017, ks2_2019 → 2019 (the results year is the summer of the exams)."""
    stem = Path(name or "").name
    year = academic_year(stem)
    if year:
        return year
    match = re.search(r"(?<!\d)(20\d\d)(?!\d)", stem)
    return int(match.group(1)) if match else None


def year_from_columns(columns) -> int | None:
    """A file with the previous years' figures (``PTRWM_EXP_24``, ``PTRWM_EXP_23``) is for the year after the latest."""
    years = {int(m.group(1)) for c in columns if (m := EARLIER_SUFFIX.search(column_key(c)))}
    return 2001 + max(years) if years else None


def find_year(*, given: int | None, file_name: str, folder: str, columns) -> tuple[int | None, str]:
    """The results year and how it was found: given, else the file name, else the folder, else the columns."""
    if given:
        return given, "given"
    name = Path(file_name or "").name
    year = year_from_file_name(name)
    if year:
        return year, f"from the file name ({name})"
    for place in (folder, Path(file_name or "").parent.name):
        year = academic_year(Path(place or "").name)
        if year:
            return year, f"from the folder name ({Path(place).name})"
    year = year_from_columns(columns)
    if year:
        suffix = f"_{(year - 1) % 100:02d}"
        return year, f"from the file's previous-year columns (…{suffix})"
    return None, ""


def find_status(*, given: str | None, file_name: str) -> tuple[str, str]:
    """provisional / revised / final: as chosen, else from the name (``919_ks2provisional.csv``), else final."""
    if given in STATUSES:
        return given, "chosen"
    name = Path(file_name or "").name.lower()
    for status in STATUSES:
        if status in name:
            return status, f"from the file name ({Path(file_name).name})"
    return "final", "assumed: the file name does not say provisional, revised or final"


def key_stage_problem(fmt: str, columns) -> Problem | None:
    """A KS4 file read as KS2 (or the reverse) is refused, naming the columns that show it."""
    keys = {column_key(c) for c in columns}
    own = [c for c in SIGNATURES[fmt] if c in keys]
    for other, signature in SIGNATURES.items():
        found = [c for c in signature if c in keys]
        if other != fmt and found and not own:
            return Problem(
                row=1,
                column=", ".join(found),
                value="",
                reason=(
                    f"This is a {KEY_STAGES[other]} file (it has {', '.join(found)} and no "
                    f"{' or '.join(SIGNATURES[fmt])}), but the format chosen is {fmt}: choose {other}."
                ),
            )
    return None


def layout_label(fmt: str, year: int) -> str:
    return f"the DfE's {KEY_STAGES.get(fmt, fmt)} layout for {year - 1}/{str(year)[-2:]}"


def classify_columns(columns, entries: list[DfeColumn]) -> dict[str, list[str]]:
    """Every column of the file, by use: mapped figures, earlier years' figures (recognised, not imported),
    and the rest (not used — never an error)."""
    mapped = set().union(*(e.names for e in entries)) if entries else set()
    out = {"earlier_years": [], "not_used": []}
    for name in columns:
        key = column_key(name)
        if key in mapped or key in IDENTITY:
            continue
        if PREVIOUS.search(key) or EARLIER_SUFFIX.search(key) or EARLIER_INNER.search(key):
            out["earlier_years"].append(name)
        elif not THREE_YEAR.search(key):
            out["not_used"].append(name)
    return out


def headline_urns(parsed) -> set[int]:
    """The schools with a figure (a number or a marker) for the headline measure, all pupils: kept on the plan for
    :func:`coverage`, as the facts are not kept once compared."""
    facts, headline = parsed.facts, parsed.layout["headline"]
    chosen = (facts["target"] == "result") & (facts["measure"] == headline) & (facts["pupil_group"] == "all")
    return {int(u) for u in facts.loc[chosen, "urn"].dropna()}


def coverage(layout: dict, headline: set[int], fmt: str, new_schools: list[dict]) -> dict:
    """ "Figures for N of M open schools of this phase": M is the open schools of the key stage's phases in the
    file's LAs (known or created by this file), less those the file lists with no pupils at the end of the key
    stage (new schools, no Year 6 or Year 11 yet); N is those of them with a figure — a number or a marker such as
    SUPP — for the headline measure (``headline``: :func:`headline_urns`)."""
    phases = PHASES[fmt]
    open_schools = set(
        School.objects.filter(
            la__code__in=layout["school_las"], status=School.Status.OPEN, phase__in=phases
        ).values_list("urn", flat=True)
    )
    open_schools |= {r["urn"] for r in new_schools if r["phase"] in phases}
    expected = open_schools - set(layout["no_pupils"])
    with_figures = headline & expected
    share = round(len(with_figures) / len(expected), 4) if expected else None
    return {
        "with_figures": len(with_figures),
        "open_schools": len(expected),
        "share": share,
        "phases": list(phases),
        "measure": layout["headline"],
        "no_pupils": len(open_schools & set(layout["no_pupils"])),
    }


def status_changes(diff: Diff) -> dict[str, int]:
    """Figures whose status changes (e.g. provisional → final), by change."""
    out = {}
    for frame in (diff.results.updated, diff.benchmarks.updated):
        if len(frame):
            changed = frame[frame["prev_status"] != frame["status"]]
            for (before, after), size in changed.groupby(["prev_status", "status"]).size().items():
                key = f"{before} → {after}"
                out[key] = out.get(key, 0) + int(size)
    return out


def problems_first(problems: list[Problem]) -> list[Problem]:
    """File-level problems first (e.g. no LA or England rows), and one line for the rows the DfE writes shorter
    than the header (it leaves trailing empty cells out), not one per row."""

    def is_short_row(problem):
        return not problem.is_error and "truncated" in problem.reason

    short = [p for p in problems if is_short_row(p)]
    rest = [p for p in problems if not is_short_row(p)]
    if len(short) > 1:
        rows = [p.row for p in short]
        short = [
            Problem(
                row=short[0].row,
                column=short[0].column,
                value="",
                level=Problem.WARNING,
                reason=(
                    f"{len(short)} rows have fewer cells than the header (truncated; rows {rows[0]}–{rows[-1]}): "
                    f"the missing cells are treated as missing."
                ),
            )
        ]
    return sorted(rest, key=lambda p: p.row is not None) + short
