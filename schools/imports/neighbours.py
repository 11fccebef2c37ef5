"""Statistical neighbours (the DfE children's services workbook): read, compared with the database, written."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..models import ImportChange, StatisticalNeighbour
from .bulk import execute_updates
from .changes import updated_change
from .fact_writes import int_or_none
from .problems import Problem, collect
from .readers import Table


@dataclass
class Neighbours:
    links: pd.DataFrame  # la_code, rank, neighbour_code, closeness, row
    problems: list[Problem] = field(default_factory=list)


def parse_neighbours(table: Table) -> Neighbours:
    """The DfE children's services statistical-neighbour workbook: ``LA num``, then ``SN1``…``SN10``, each
    followed by its closeness column (``SNP``; capitalisation varies)."""
    problems: list[Problem] = []
    columns = table.columns
    la_column = next((c for c in ("LA num", "LA number", "LA code", "la_code") if c in columns), None)
    if la_column is None:
        problems.append(Problem(row=1, column="LA num", value="", reason="Missing required column."))
        return Neighbours(pd.DataFrame(columns=["la_code", "rank", "neighbour_code", "closeness", "row"]), problems)
    records = []
    frame = table.frame
    rows = table.row_numbers
    la = frame[la_column].astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    no_la = la.isin(["", "nan"])
    collect(
        problems,
        no_la,
        rows=rows,
        column=la_column,
        values=frame.iloc[:, :2].astype(str).agg(" ".join, axis=1),
        reason="Row without an LA code (a note or heading): skipped.",
        level=Problem.WARNING,
    )
    bad_la = ~la.str.match(r"^\d{3}$")
    collect(problems, bad_la & ~no_la, rows=rows, column=la_column, values=la, reason="An LA code has 3 digits.")
    dup = la.duplicated() & ~bad_la
    collect(problems, dup, rows=rows, column=la_column, values=la, reason="The same LA appears twice.")
    found = 0
    for rank in range(1, 11):
        name = f"SN{rank}"
        if name not in columns:
            continue
        found += 1
        position = columns.index(name)
        closeness_col = columns[position + 1] if position + 1 < len(columns) else None
        if closeness_col and not closeness_col.upper().startswith("SNP"):
            closeness_col = None
        codes = frame[name].astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
        bad = ~codes.str.match(r"^\d{3}$") & (codes != "") & ~bad_la
        collect(problems, bad, rows=rows, column=name, values=codes, reason="A neighbour's LA code has 3 digits.")
        closeness = (
            frame[closeness_col].astype(str).str.strip().str.capitalize()
            if closeness_col
            else pd.Series("", index=frame.index)
        )
        keep = ~bad & ~bad_la & ~dup & (codes != "")
        records.append(
            pd.DataFrame({"la_code": la, "rank": rank, "neighbour_code": codes, "closeness": closeness, "row": rows})[
                keep.to_numpy()
            ]
        )
    if not found:
        problems.append(Problem(row=1, column="SN1", value="", reason="Missing required column (SN1…SN10)."))
    links = (
        pd.concat(records, ignore_index=True)
        if records
        else pd.DataFrame(columns=["la_code", "rank", "neighbour_code", "closeness", "row"])
    )
    return Neighbours(links, problems)


@dataclass
class NeighbourDiff:
    created: pd.DataFrame
    updated: pd.DataFrame
    unchanged: int


def diff_neighbours(links: pd.DataFrame) -> NeighbourDiff:
    existing = pd.DataFrame(
        list(
            StatisticalNeighbour.objects.filter(la_code__in=sorted(set(links["la_code"]))).values_list(
                "id", "la_code", "rank", "neighbour_code", "closeness", "batch_id"
            )
        ),
        columns=["prev_id", "la_code", "rank", "prev_neighbour_code", "prev_closeness", "prev_batch_id"],
    )
    links = links.assign(rank=links["rank"].astype(int))
    existing["rank"] = existing["rank"].astype(int)
    merged = links.merge(existing, on=["la_code", "rank"], how="left")
    known = merged["prev_id"].notna()
    same = (merged["neighbour_code"] == merged["prev_neighbour_code"]) & (
        merged["closeness"] == merged["prev_closeness"]
    )
    return NeighbourDiff(
        created=merged[~known].reset_index(drop=True),
        updated=merged[known & ~same].reset_index(drop=True),
        unchanged=int((known & same).sum()),
    )


def write_neighbours(diff: NeighbourDiff, batch) -> list[ImportChange]:
    StatisticalNeighbour.objects.bulk_create(
        [
            StatisticalNeighbour(
                la_code=r.la_code,
                rank=int(r.rank),
                neighbour_code=r.neighbour_code,
                closeness=(r.closeness or "")[:40],
                batch=batch,
            )
            for r in diff.created.itertuples(index=False)
        ]
    )
    changes, params = [], []
    for r in diff.updated.itertuples(index=False):
        params.append((r.neighbour_code, (r.closeness or "")[:40], batch.pk, int(r.prev_id)))
        previous_batch_id = int_or_none(r.prev_batch_id)
        previous = {
            "neighbour_code": r.prev_neighbour_code,
            "closeness": r.prev_closeness,
            "batch_id": previous_batch_id,
        }
        changes.append(updated_change(batch, ImportChange.Kind.NEIGHBOUR, int(r.prev_id), previous, previous_batch_id))
    execute_updates(StatisticalNeighbour, ("neighbour_code", "closeness", "batch_id"), params)
    return changes
