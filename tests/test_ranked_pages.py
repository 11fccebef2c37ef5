"""The priority list and the gap busters come a page at a time (``page_size`` schools, links to the other
pages); their CSV lists every school."""

import csv
import io

import pytest

from schools.models import Measure
from schools.tables import PriorityTable

pytestmark = pytest.mark.django_db


def test_priority_list_pages_and_its_csv_has_every_school(role_client, demo, monkeypatch):
    officer = role_client("officer")
    # A measure on which the demo LA has at least two schools to challenge.
    for measure in Measure.objects.filter(headline=True).order_by("order"):
        query = f"?measure={measure.code}"
        whole = officer.get(f"/priority/{query}").context["ranked_count"]
        if whole >= 2:
            break
    assert whole >= 2, whole
    monkeypatch.setattr(PriorityTable, "page_size", 1)
    page = officer.get(f"/priority/{query}")
    table = page.context["table"]
    assert len(table.page.object_list) == 1 and table.paginator.num_pages == whole
    html = page.content.decode()
    assert f"Rows 1–1 of {whole}." in html
    assert 'aria-current="page"' in html and "priority-page=2" in html
    second = officer.get(f"/priority/{query}&priority-page=2").context["table"]
    assert second.page.number == 2
    assert [row.record["rank"] for row in table.page.object_list] == [1]
    assert [row.record["rank"] for row in second.page.object_list] == [2]
    export = officer.get(f"/priority/export/priority.csv{query}").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(export)))
    header = rows[2]
    ranks = [r[header.index("Rank")] for r in rows[3:] if len(r) == len(header)]
    assert len(ranks) == whole  # every school, not one page
