"""School attainment files → facts: the long template and the DfE KS2/KS4 performance tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..reference_data import NOT_PUBLISHED
from . import dfe_layout, mapping
from .facts import BENCHMARK, FACT_COLUMNS, RESULT, Reference, empty_facts
from .parsing import (
    STATUSES,
    Parsed,
    checked_figures,
    figure,
    parse_year,
    per_text,
    require,
    resolve_geographies,
)
from .problems import Problem, collect, collect_each
from .readers import Table, parse_figures
from .wide_facts import WideFacts


def parse_long_figures(table: Table, ref: Reference, *, target: str, key_column: str) -> Parsed:
    """The long template: one fact per row, for schools (``urn``) or benchmarks (``geography``)."""
    problems: list[Problem] = []
    required = [key_column, "results_year", "measure", "pupil_group"] + (["cohort"] if target == RESULT else [])
    if not require(table, required, problems):
        return Parsed(empty_facts(), problems)
    figure_columns = [c for c in ("achievers", "points", "value") if table.has(c)]
    if not figure_columns:
        problems.append(
            Problem(
                row=1,
                column="achievers/points/value",
                value="",
                reason="Missing required column: the file needs achievers, points or value.",
            )
        )
        return Parsed(empty_facts(), problems)
    rows = table.row_numbers
    frame = table.frame
    year = parse_year(frame["results_year"], rows, problems)
    cohort = figure(table, "cohort", rows, problems)
    achievers = figure(table, "achievers", rows, problems)
    points = figure(table, "points", rows, problems)
    value = figure(table, "value", rows, problems)
    code = value.code.where(value.code != "", achievers.code.where(achievers.code != "", points.code))
    code = code.where(code != "", cohort.code)

    status = per_text(table.column("status"), lambda texts: texts.str.strip().str.lower().replace("", "final"))
    collect(
        problems,
        ~status.isin(STATUSES),
        rows=rows,
        column="status",
        values=status,
        reason="Status must be provisional, revised or final.",
    )

    facts = pd.DataFrame(
        {
            "target": target,
            "urn": None,
            "geography_code": None,
            "geography_name": "",
            "kind": "",
            "results_year": year,
            "measure": per_text(frame["measure"], _code),
            "pupil_group": per_text(frame["pupil_group"], _code),
            "cohort": cohort.number,
            "achievers": achievers.number,
            "points": points.number,
            "value": value.number,
            "value_code": code,
            "status": status,
            "row": rows,
        }
    )[FACT_COLUMNS]
    if target == RESULT:
        urn = per_text(frame[key_column], lambda texts: texts.str.strip())
        ok = per_text(urn, lambda texts: texts.str.match(r"^\d{5,8}$")).astype(bool)
        collect(problems, ~ok, rows=rows, column=key_column, values=urn, reason="A URN is a number of 5 to 8 digits.")
        facts["urn"] = per_text(urn.where(ok), lambda texts: pd.to_numeric(texts, errors="coerce"))
    else:
        facts = resolve_geographies(
            facts, frame[key_column], table.column("geography_name"), rows, problems, column=key_column
        )
    return Parsed(facts, problems)


def _code(texts: pd.Series) -> pd.Series:
    return texts.str.strip().str.lower()


# --------------------------------------------------------------------------- DfE performance tables
def _normalised(table: Table) -> Table:
    """The table with headers as the mapping names them (upper case, no surrounding spaces)."""
    names, seen = [], set()
    for name in table.columns:
        key = mapping.column_key(name)
        names.append(key if key not in seen else name)
        seen.add(key)
    frame = table.frame.copy()
    frame.columns = names
    return Table(
        columns=names,
        frame=frame,
        row_numbers=table.row_numbers,
        kind=table.kind,
        encoding=table.encoding,
        warnings=table.warnings,
    )


def parse_dfe(
    table: Table,
    ref: Reference,
    *,
    fmt: str,
    results_year: int | None,
    known_urns: set[int],
    known_las: dict[str, str],
    status: str = "final",
) -> Parsed:
    """A DfE KS2/KS4 school-level file: one wide row per school, LA and England rows → benchmarks."""
    problems: list[Problem] = []
    table = _normalised(table)
    if not require(table, ["RECTYPE", "URN", "LEA"], problems):
        return Parsed(empty_facts(), problems)
    wrong_stage = dfe_layout.key_stage_problem(fmt, table.columns)
    if wrong_stage:
        return Parsed(empty_facts(), [wrong_stage])
    if results_year is None:
        problems.append(
            Problem.of_file(
                "The results year is needed: DfE files have no year column. Give it (e.g. 2019 for 2018-19), "
                "or keep the year in the file name or its folder (2018-2019/…)."
            )
        )
        return Parsed(empty_facts(), problems)

    columns = mapping.dfe_columns(fmt)
    record_types = mapping.dfe_record_types(fmt)
    for entry in columns:
        if entry.measure not in ref.measures or entry.group not in ref.groups:
            problems.append(
                Problem.of_file(
                    "The DfE column mapping names an unknown measure or pupil group (fixtures/dfe_columns.csv).",
                    value=f"{entry.measure} × {entry.group}",
                )
            )
    layout = dfe_layout.layout_label(fmt, results_year)
    for entry in columns:
        if entry.required and entry.in_layout(results_year) and entry.pick(table.columns)[1] is None:
            problems.append(
                Problem(
                    row=1,
                    column=entry.value_columns[0],
                    value="",
                    reason=(f"Missing required column: {layout} has it ({entry.measure}, {entry.group})."),
                )
            )
    if any(p.is_error for p in problems):
        return Parsed(empty_facts(), problems)

    frame = table.frame
    rows = table.row_numbers
    rectype = frame["RECTYPE"].str.strip()
    roles = rectype.map({k: v.role for k, v in record_types.items()})
    unknown = roles.isna()
    collect(
        problems,
        unknown,
        rows=rows,
        column="RECTYPE",
        values=rectype,
        level=Problem.WARNING,
        reason="Record type not in the mapping (fixtures/dfe_record_types.csv): row skipped.",
    )
    excluded = pd.Series(False, index=frame.index)
    for column, cell, reason in mapping.dfe_excluded(fmt):
        hit = (roles == "school") & (table.column(mapping.column_key(column)).str.strip() == cell)
        if hit.any():
            excluded |= hit
            problems.append(
                Problem(
                    row=int(rows[hit.to_numpy()][0]),
                    column=column,
                    value=cell,
                    level=Problem.WARNING,
                    reason=f"{int(hit.sum())} row(s) skipped: {reason}.",
                )
            )
    unknown = unknown | excluded
    roles = roles.where(~excluded)
    school = (roles == "school").to_numpy()
    bench = (roles == "benchmark").to_numpy()

    lea = frame["LEA"].str.strip()
    urn_text = frame["URN"].str.strip()
    urn_ok = urn_text.str.match(r"^\d{5,8}$")
    urn = pd.to_numeric(urn_text.where(urn_ok), errors="coerce")
    school_row = pd.Series(school, index=frame.index)
    dup = school_row & urn.notna() & urn.duplicated(keep="first")
    lea_ok = lea.str.match(r"^\d{3}$")
    collect_each(
        problems,
        rows,
        [
            (school_row & ~urn_ok, "URN", urn_text, "A school row needs a URN (a number of 5 to 8 digits)."),
            (dup, "URN", urn_text, "The same school appears twice in the file."),
            (school_row & ~lea_ok, "LEA", lea, "A school row needs its 3-digit LA code."),
        ],
    )

    # Geography of benchmark rows.
    geo_code = pd.Series("", index=frame.index, dtype=object)
    geo_name = pd.Series("", index=frame.index, dtype=object)
    la_names = {}
    for rtype, record in record_types.items():
        if record.role != "benchmark":
            continue
        here = rectype == rtype
        if record.geography_code == "LA":
            geo_code[here] = lea[here]
            names = table.column("SCHNAME")[here].str.strip()
            geo_name[here] = [n or known_las.get(c, "") for n, c in zip(names, lea[here], strict=True)]
            bad = here & ~lea_ok
            collect(problems, bad, rows=rows, column="LEA", values=lea, reason="The LA row has no 3-digit LA code.")
            la_names.update({c: n for c, n in zip(lea[here], names, strict=True) if n})
        else:
            geo_code[here] = record.geography_code
            geo_name[here] = record.geography_name
    kind = pd.Series(np.where(geo_code.str.match(r"^\d{3}$"), "la", "national"), index=frame.index)
    problems[:0] = _missing_summary_rows(record_types, rectype, bench)

    wide, missing, used = WideFacts(), [], {}
    not_published = NOT_PUBLISHED
    # One shared text per row, not a new one per row and figure (two million in a national file).
    targets = np.array([BENCHMARK, RESULT], dtype=object)[school.astype(int)]
    for entry in columns:
        count_col, value_col = entry.pick(table.columns)
        if value_col is None:
            if entry.in_layout(results_year):
                missing.append(entry.value_columns[0])
            continue
        used[(entry.measure, entry.group)] = (count_col or entry.count_columns[0], value_col)
        value = checked_figures(frame[value_col], rows, problems, column=value_col, skip=unknown)
        keep = ~value.blank & ~unknown & ~value.invalid & ~dup
        if count_col:
            count = checked_figures(
                frame[count_col],
                rows,
                problems,
                column=count_col,
                skip=unknown,
                reason="Not a number or a known marker.",
            )
            cohort = count.number
        else:
            cohort = pd.Series(np.nan, index=frame.index)
            with_figures = keep & value.number.notna()
            if with_figures.any():
                problems.append(
                    Problem(
                        row=int(rows[with_figures.to_numpy()][0]),
                        column="|".join(entry.count_columns),
                        value="",
                        reason=(
                            f"Missing count column {' or '.join(entry.count_columns)}: {value_col} has "
                            f"{int(with_figures.sum())} figure(s) but no pupil count ({layout} has it). Without "
                            f"the cohort the figures cannot be pooled or compared: nothing is imported."
                        ),
                    )
                )
                continue
        code = value.code
        if results_year in not_published.get(entry.measure, ()):
            # The DfE publishes nothing for this measure this year: a blank is "not published", never zero.
            blank_np = value.blank & ~unknown & ~dup & (cohort > 0)
            code = code.where(~blank_np, "NP")
            keep = keep | blank_np
        if not keep.any():
            continue
        wide.add(keep, measure=entry.measure, group=entry.group, cohort=cohort, value=value.number, code=code)
    if missing:
        problems.append(
            Problem(
                row=1,
                column=", ".join(missing[:40]) + ("…" if len(missing) > 40 else ""),
                value="",
                level=Problem.WARNING,
                reason=(f"{len(missing)} column(s) of {layout} are not in this file: those figures are not imported."),
            )
        )
    facts = wide.frame(
        {
            "target": targets,
            "urn": urn.where(pd.Series(school, index=frame.index)).to_numpy(dtype=float),
            "geography_code": geo_code.where(pd.Series(bench, index=frame.index)).to_numpy(dtype=object),
            "geography_name": geo_name.to_numpy(dtype=object),
            "kind": kind.to_numpy(dtype=object),
            "row": rows,
        },
        results_year=results_year,
        status=status,
    )

    # Schools the register does not know are created from the row's own URN, LEA, ESTAB and SCHNAME.
    new_schools, new_las = [], {}
    phases = {k: v.school_phase for k, v in record_types.items() if v.role == "school"}
    # Columns as arrays: a national file has ~16,500 new schools, and a pandas look-up per cell took ~1 s.
    urns, codes, types = urn.to_numpy(), lea.to_numpy(dtype=object), rectype.to_numpy(dtype=object)
    estab = table.column("ESTAB").str.strip().to_numpy(dtype=object)
    names = table.column("SCHNAME").str.strip().to_numpy(dtype=object)
    for index in np.flatnonzero(school & urn_ok.to_numpy() & lea_ok.to_numpy() & ~dup.to_numpy()):
        number = int(urns[index])
        if number in known_urns:
            continue
        code = codes[index]
        new_schools.append(
            {
                "urn": number,
                "la_code": code,
                "laestab": f"{code}{estab[index]}"[:7],
                "name": names[index] or f"School {number}",
                "phase": phases.get(types[index], "other"),
                "row": int(rows[index]),
            }
        )
        if code not in known_las:
            new_las[code] = la_names.get(code) or f"LA {code}"

    # For the preview: what of the file is used, and which schools had no pupils at the end of the key stage.
    headline = next(e for e in columns if e.required and e.group == "all")
    count_col = headline.pick(table.columns)[0]
    pupils = parse_figures(table.column(count_col)).number if count_col else pd.Series(np.nan, index=frame.index)
    no_pupils = pd.Series(school, index=frame.index) & ~(pupils > 0) & urn.notna()
    layout_info = {
        "label": layout,
        "headline": headline.measure,
        "columns": used,
        "school_las": sorted(set(lea[school_row & lea_ok])),
        "no_pupils": sorted(int(u) for u in urn[no_pupils]),
        **dfe_layout.classify_columns(table.columns, columns),
    }
    return Parsed(facts, problems, new_schools=new_schools, new_las=new_las, la_names=la_names, layout=layout_info)


def _missing_summary_rows(record_types, rectype: pd.Series, bench) -> list[Problem]:
    """A file without its LA and England rows (a download cut short) may go ahead, but only once the preview says so."""
    present = set(rectype[bench])
    la_types = sorted(k for k, v in record_types.items() if v.role == "benchmark" and v.geography_code == "LA")
    national = sorted(k for k, v in record_types.items() if v.role == "benchmark" and v.geography_code != "LA")
    lacking = []
    if not present & set(la_types):
        lacking.append(f"LA row (RECTYPE {', '.join(la_types)})")
    if not present & set(national):
        lacking.append(f"England rows (RECTYPE {', '.join(national)})")
    if not lacking:
        return []
    return [
        Problem(
            row=None,
            column="RECTYPE",
            value="",
            level=Problem.WARNING,
            reason=(
                f"The file has no {' and no '.join(lacking)}: it may have been cut short. Check it is the whole file; "
                f"the LA's and England's published figures are not updated by this import."
            ),
        )
    ]
