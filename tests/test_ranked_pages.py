"""The priority list and the gap busters come a page at a time (``page_size`` schools, links to the other
pages); their CSV lists every school."""

import csv
import io

import pytest

from schools.tables import PriorityTable

pytestmark = pytest.mark.django_db


def test_priority_list_pages_and_its_csv_has_every_school(role_client, demo, monkeypatch):
    officer = role_client("officer")
    whole = officer.get("/priority/").context["ranked_count"]
    assert whole >= 3, whole  # the demo LA has schools to challenge
    monkeypatch.setattr(PriorityTable, "page_size", 2)
    page = officer.get("/priority/")
    table = page.context["table"]
    assert len(table.page.object_list) == 2 and table.paginator.num_pages == -(-whole // 2)
    html = page.content.decode()
    assert f"Rows 1–2 of {whole}." in html
    assert 'aria-current="page"' in html and "priority-page=2" in html
    second = officer.get("/priority/?priority-page=2").context["table"]
    assert second.page.number == 2
    first_ranks = [row.record["rank"] for row in table.page.object_list]
    second_ranks = [row.record["rank"] for row in second.page.object_list]
    assert first_ranks == [1, 2] and second_ranks[0] == 3
    rows = list(csv.reader(io.StringIO(officer.get("/priority/export/priority.csv").content.decode("utf-8-sig"))))
    header = rows[2]
    ranks = [r[header.index("Rank")] for r in rows[3:] if r and r[0] != ""]
    assert len(ranks) == whole  # every school, not one page
