"""A problem found in an import file: where (file row, column), what (the value) and why."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass

from ..exports import safe_cell


@dataclass(frozen=True)
class Problem:
    ERROR = "error"
    WARNING = "warning"

    row: int | None
    column: str
    value: str
    reason: str
    level: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.level == self.ERROR

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def of_file(cls, reason: str, *, column: str = "", value: str = "", level: str = ERROR) -> Problem:
        """A problem with the file as a whole, not one of its rows (a missing year, an unknown mapping)."""
        return cls(row=None, column=column, value=value, reason=reason, level=level)

    @classmethod
    def from_dict(cls, data: dict) -> Problem:
        return cls(**{key: data.get(key) for key in ("row", "column", "value", "reason", "level")})

    def __str__(self):
        where = f"row {self.row}" if self.row else "file"
        column = f", column {self.column}" if self.column else ""
        value = f", value {self.value!r}" if self.value not in ("", None) else ""
        return f"{self.level.capitalize()}: {where}{column}{value}: {self.reason}"


def problems_csv(problems) -> str:
    """The problem list as CSV (row, column, value, reason, level) for download."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "column", "value", "reason", "level"])
    for problem in problems:
        # Values come from the uploaded file: neutralise any that a spreadsheet would run as a formula.
        writer.writerow(
            [
                safe_cell(cell)
                for cell in (problem.row or "", problem.column, problem.value, problem.reason, problem.level)
            ]
        )
    return out.getvalue()


def collect(problems: list, mask, *, rows, column: str, values, reason: str, level: str = Problem.ERROR):
    """Append one problem per True in ``mask`` (pandas boolean Series aligned with ``rows``/``values``)."""
    if not mask.any():
        return
    selected = mask.to_numpy()
    for row, value in zip(rows[selected], values[mask].tolist(), strict=True):
        problems.append(
            Problem(row=int(row), column=column, value="" if value is None else str(value), reason=reason, level=level)
        )


def collect_each(problems: list, rows, checks) -> None:
    """:func:`collect` for each check in turn, each ``(mask, column, values, reason)``: an error per row
    where its mask is True, listed check by check in the order given."""
    for mask, column, values, reason in checks:
        collect(problems, mask, rows=rows, column=column, values=values, reason=reason)


class ImportRejected(Exception):
    """The plan has errors (or the batch cannot be committed/rolled back): nothing was written."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


class AlreadyDone(ImportRejected):
    """The same request came twice (a double-click on Confirm): the first did it, the second changes nothing."""
