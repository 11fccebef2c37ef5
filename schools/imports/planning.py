"""Planning an import: parse the file, check every row, and compare with the database — writing nothing.

The web view and the management commands both build their plan with :func:`build_plan` (and write it with
:func:`.committing.commit_plan`), so a file gives the same messages and the same result wherever it is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

import pandas as pd

from ..models import ImportBatch, LocalAuthority
from . import context as context_import
from . import dfe_layout, preview
from .benchmarks import parse_lait
from .comparing import Diff, diff_facts, kept_counted_problems, lost_cohort_problems
from .facts import BENCHMARK, RESULT, Reference, school_id_map
from .la_codes import la_name
from .neighbours import NeighbourDiff, diff_neighbours, parse_neighbours
from .parsing import Parsed
from .problems import Problem
from .readers import Limits
from .reading import read_upload
from .register import RegisterPlan, diff_register, parse_register
from .results import parse_dfe, parse_long_figures
from .scope import check_scope, import_la
from .validating import complete_and_validate

Format = ImportBatch.Format
FACT_FORMATS = (Format.LONG, Format.DFE_KS2, Format.DFE_KS4, Format.BENCHMARKS, Format.LAIT)


@dataclass
class ImportPlan:
    format: str
    file_name: str
    results_year: int | None = None
    results_status: str | None = None  # DfE files: provisional, revised or final
    found: dict = field(default_factory=dict)  # how the year and status were found (DfE files)
    rows_read: int = 0
    problems: list[Problem] = field(default_factory=list)
    parsed: Parsed | None = None
    diff: Diff | None = None
    register: RegisterPlan | None = None
    neighbours: NeighbourDiff | None = None
    new_las: dict[str, str] = field(default_factory=dict)
    new_schools: list[dict] = field(default_factory=list)
    context: context_import.ContextPlan | None = None
    headline_urns: set[int] = field(default_factory=set)  # DfE files: schools with a headline figure

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)

    @property
    def counts(self) -> dict[str, int]:
        """Created / updated / unchanged rows of what this format writes (facts, schools or neighbours)."""
        if self.register is not None:
            return self.register.counts
        if self.context is not None:
            return self.context.counts
        if self.neighbours is not None:
            return {
                "created": len(self.neighbours.created),
                "updated": len(self.neighbours.updated),
                "unchanged": self.neighbours.unchanged,
            }
        if self.diff is not None:
            return self.diff.counts
        return {"created": 0, "updated": 0, "unchanged": 0}

    def summary(self) -> dict:
        """What the preview page shows, kept on the batch between preview and confirm: :func:`.preview.summary`."""
        return preview.summary(self)


class ReadOptions(TypedDict, total=False):
    """How to read a file, as :func:`build_plan` takes them (defaults there): its format (``"auto"``: detect
    it), the results year and status (provisional or final) it is for, size limits, and the folder it came from
    (whose name may give the year)."""

    format: str
    results_year: int | None
    limits: Limits | None
    status: str | None
    folder: str


def build_plan(
    *,
    data: bytes,
    file_name: str,
    format: str = "auto",
    results_year: int | None = None,
    user=None,
    limits: Limits | None = None,
    status: str | None = None,
    folder: str = "",
    on_stage=None,
) -> ImportPlan:
    """Parse and check every row, then compare with the database. Writes nothing.

    ``user``: a data manager's imports are limited to their LA (:func:`scope.import_la`); ``None`` (the command
    line) is not limited. ``limits``: the size limits (default: the settings; ``Limits.none()`` lifts them).
    DfE files: the results year is ``results_year``, else from the file name, else from its folder
    (``folder``, or a folder in ``file_name``), else from the file's previous-year columns; the status is
    ``status``, else from the file name, else final. ``on_stage``: called with "comparing" when the checked
    figures are compared with the database (the background import's progress)."""
    plan = ImportPlan(format=format, file_name=file_name, results_year=results_year)
    limits = Limits.from_settings() if limits is None else limits
    table, plan_format, problem = read_upload(data, format, limits)
    if problem is not None or table is None or plan_format is None:
        if problem is not None:
            plan.problems.append(problem)
        return plan
    plan.format = plan_format
    if plan.format in (Format.DFE_KS2, Format.DFE_KS4):
        plan.results_year, year_how = dfe_layout.find_year(
            given=results_year, file_name=file_name, folder=folder, columns=table.columns
        )
        plan.results_status, status_how = dfe_layout.find_status(given=status, file_name=file_name)
        plan.found = {
            "year_found": year_how,
            "status_found": status_how,
            "year_given": results_year,
            "status_given": status,
            "folder": folder,
        }
    plan.rows_read = len(table)
    plan.problems.extend(table.warnings)
    if not len(table):
        plan.problems.append(Problem(row=None, column="", value="", reason="The file has a header but no rows."))
        return plan

    known_las = dict(LocalAuthority.objects.values_list("code", "name"))
    scope_la = import_la(user)
    if plan.format == Format.REGISTER:
        register = parse_register(table, known_las=known_las)
        plan.problems.extend(register.problems)
        plan.new_las = {code: la_name(code, name) for code, name in register.new_las.items()}
        check_scope(plan.problems, scope_la, register=register)
        if not plan.has_errors:
            plan.register = diff_register(register)
        return plan
    if plan.format == Format.NEIGHBOURS:
        links = parse_neighbours(table)
        plan.problems.extend(links.problems)
        if not plan.has_errors:
            plan.neighbours = diff_neighbours(links.links)
        return plan
    if plan.format in context_import.FORMATS:
        if plan.results_year is None:  # the name, else the DfE's year folder (2022-2023/919_abs.csv)
            plan.results_year, _how = dfe_layout.find_year(
                given=None, file_name=file_name, folder=folder, columns=table.columns
            )
        urn_column = next((c for c in table.columns if c.strip().upper() == "URN"), "URN")
        school_ids = school_id_map(
            pd.to_numeric(table.column(urn_column).str.strip(), errors="coerce").dropna().astype(int).tolist()
        )
        plan.context = context_import.parse(
            table, plan.format, results_year=plan.results_year, school_ids=school_ids, problems=plan.problems
        )
        return plan
    if plan.format not in FACT_FORMATS:
        plan.problems.append(Problem(row=None, column="", value=str(plan.format), reason="Unknown import format."))
        return plan

    ref = Reference.load()
    if plan.format == Format.LONG:
        parsed = parse_long_figures(table, ref, target=RESULT, key_column="urn")
    elif plan.format == Format.BENCHMARKS:
        parsed = parse_long_figures(table, ref, target=BENCHMARK, key_column="geography")
    elif plan.format == Format.LAIT:
        parsed = parse_lait(table, ref)
    else:
        urns = pd.to_numeric(table.column("URN").str.strip(), errors="coerce").dropna().astype(int)
        known_urns = set(school_id_map(urns.tolist()))
        parsed = parse_dfe(
            table,
            ref,
            fmt=plan.format,
            results_year=plan.results_year,
            known_urns=known_urns,
            known_las=known_las,
            status=plan.results_status or "final",
        )
    plan.problems.extend(parsed.problems)
    if plan.format in (Format.DFE_KS2, Format.DFE_KS4):
        plan.problems = dfe_layout.problems_first(plan.problems)
    plan.new_schools = parsed.new_schools
    plan.new_las = {code: la_name(code, name) for code, name in parsed.new_las.items()}
    _name_las(parsed.facts)
    # Every row is checked even when parsing found errors: all problems are reported in one pass.
    parsed.facts = complete_and_validate(
        parsed.facts, ref, plan.problems, check_codes=plan.format in (Format.LONG, Format.BENCHMARKS)
    )
    plan.parsed = parsed
    school_ids = school_id_map(parsed.facts["urn"].dropna().unique().tolist()) if len(parsed.facts) else {}
    if plan.format == Format.LONG and len(parsed.facts):
        unknown = parsed.facts["urn"].notna() & ~parsed.facts["urn"].isin(list(school_ids))
        for row, urn in zip(parsed.facts.loc[unknown, "row"], parsed.facts.loc[unknown, "urn"], strict=True):
            plan.problems.append(
                Problem(
                    row=int(row),
                    column="urn",
                    value=str(int(urn)),
                    reason="Unknown URN: import the school register first.",
                )
            )
    check_scope(plan.problems, scope_la, facts=parsed.facts, new_schools=plan.new_schools, school_ids=school_ids)
    if plan.results_year is None and plan.format == Format.LONG and len(parsed.facts):
        years = parsed.facts["results_year"].dropna().unique()
        plan.results_year = int(years[0]) if len(years) == 1 else None
    if not plan.has_errors:
        if on_stage is not None:
            on_stage("comparing")
        if plan.format in (Format.DFE_KS2, Format.DFE_KS4):
            plan.headline_urns = dfe_layout.headline_urns(parsed)
        # The comparison is given the facts and keeps them only split (created, updated): the plan does not
        # hold them twice (two million facts of a national file are ~300 MB a copy).
        plan.diff = diff_facts(parsed.take_facts(), ref, school_ids=school_ids)
        if plan.format in (Format.LONG, Format.DFE_KS2, Format.DFE_KS4):
            plan.problems.extend(lost_cohort_problems(plan.diff, parsed.layout.get("columns", {})))
        plan.problems.extend(kept_counted_problems(plan.diff))
    return plan


def _name_las(facts: pd.DataFrame) -> None:
    """An LA row without a name (KS4 files) is named from the LA code list."""
    if not len(facts) or "geography_name" not in facts:
        return
    unnamed = (facts["kind"] == "la") & (facts["geography_name"].fillna("") == "")
    if unnamed.any():
        facts.loc[unnamed, "geography_name"] = [la_name(code) for code in facts.loc[unnamed, "geography_code"]]
