"""The priority list, the gap busters and the cluster RAG board come a page at a time (50 schools or clusters,
links to the other pages); their CSVs list every school or cluster."""

import csv
import io

import pytest

from schools.dashboard import ranking
from schools.models import Measure

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
    monkeypatch.setattr(ranking, "RANKED_PER_PAGE", 1)
    page = officer.get(f"/priority/{query}")
    table, shown = page.context["table"], page.context["ranked_page"]
    assert len(table.rows) == 1 and shown.paginator.num_pages == whole and page.context["ranked_count"] == whole
    html = page.content.decode()
    assert f"Schools 1–1 of {whole}." in html
    assert 'aria-current="page"' in html and "priority-page=2" in html and 'rel="next"' in html
    second = officer.get(f"/priority/{query}&priority-page=2")
    assert second.context["ranked_page"].number == 2
    assert [row.record["rank"] for row in table.rows] == [1]
    assert [row.record["rank"] for row in second.context["table"].rows] == [2]
    assert table.rows[0].record["name"] != second.context["table"].rows[0].record["name"]
    export = b"".join(officer.get(f"/priority/export/priority.csv{query}").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(export)))
    header = rows[2]
    ranks = [r[header.index("Rank")] for r in rows[3:] if len(r) == len(header)]
    assert len(ranks) == whole  # every school, not one page


def test_cluster_rag_board_pages_and_its_csv_has_every_cluster(role_client, demo, monkeypatch):
    from schools.dashboard import rag
    from schools.models import Cluster

    names = sorted(Cluster.objects.filter(la=demo.la).values_list("name", flat=True))
    assert len(names) == 2, names
    monkeypatch.setattr(rag, "CLUSTERS_PER_PAGE", 1)
    officer = role_client("officer")
    first = officer.get("/cluster-rag/")
    assert [g["cluster"].name for g in first.context["grid"]] == names[:1]
    html = first.content.decode()
    assert "Clusters 1–1 of 2." in html
    assert 'aria-label="Pages of the cluster RAG board"' in html
    assert 'aria-current="page"' in html and "?page=2" in html and 'rel="next"' in html
    assert "Across clusters 1 to 1 of 2 (this page)" in first.context["findings_text"][0]
    second = officer.get("/cluster-rag/?page=2")
    assert [g["cluster"].name for g in second.context["grid"]] == names[1:]
    assert 'rel="prev"' in second.content.decode()
    export = officer.get("/cluster-rag/export/rag.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(export)))
    assert [r[0] for r in rows if r and r[0] in names] == names  # every cluster, not one page
