"""The LA officer's gap pages show exactly what they showed before they were made faster (issue #16).

Each page of a fixed small demo LA (30 schools, 8 years, seed 5) is rendered as the LA officer, with the
default options and with a few others (a chosen year, another group, the within-school comparator), and its
main content compared with the HTML kept in ``tests/data/page_snapshots`` (written by the code before the
speed-up). Every figure, word, flag and judgement a user sees is in that HTML, so the test fails on any change
of them. The exports of the overview's tables are compared too.

To write the snapshots afresh after a deliberate change of a page: ``UPDATE_PAGE_SNAPSHOTS=1 pytest
tests/test_page_snapshots.py`` (and read the diff).
"""

import os
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from schools import demo as demo_module
from schools import request_memo
from schools.models import Area, Cluster

SNAPSHOTS = Path(__file__).parent / "data" / "page_snapshots"
UPDATE = os.environ.get("UPDATE_PAGE_SNAPSHOTS") == "1"

_VARYING = (
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), 'name="csrfmiddlewaretoken" value=""'),
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),
)


def _main(html: str, names: dict) -> str:
    """The page's main content (the header and footer carry the session and the clock), with tokens blanked and
    each area's and cluster's id written as its name (ids differ between databases: PostgreSQL's sequences are
    not reset between tests)."""
    start, end = html.find("<main"), html.rfind("</main>")
    body = html[start : end + len("</main>")] if start >= 0 and end > start else html
    for pattern, replacement in _VARYING:
        body = pattern.sub(replacement, body)

    def named(kind: str, pk: str, whole: str) -> str:
        name = names.get((kind, int(pk)))
        return whole.replace(pk, f"[{name}]") if name is not None else whole

    body = _PATHS.sub(lambda m: named(m[1], m[2], m[0]), body)
    body = _QUERIES.sub(lambda m: named(m[1] + "s", m[2], m[0]), body)

    def option(m) -> str:
        for kind in ("areas", "clusters"):
            if names.get((kind, int(m[1]))) == m[2]:
                return m[0].replace(f'value="{m[1]}"', f'value="[{m[2]}]"')
        return m[0]

    return _OPTIONS.sub(option, body)


_PATHS = re.compile(r"/(areas|clusters)/(\d+)/")
_QUERIES = re.compile(r"(?<=[?&;])(area|cluster)=(\d+)")
_OPTIONS = re.compile(r'<option value="(\d+)">([^<]*)</option>')


_DECIMAL = re.compile(r"-?\d+\.\d+")


def _steady(text: str) -> str:
    """The text with every decimal number written to nine decimals, on both sides of the comparison: a pooled
    figure is a float sum whose last binary digit follows the order the database adds the rows in, which
    differs between SQLite and PostgreSQL and with the order rows were inserted (the charts' JSON:
    34.073596491228066 against 34.07359649122807, 49.9508 against 49.95080000000001). No page shows a figure
    to more than two decimals, so any change a user could see still differs."""
    return _DECIMAL.sub(lambda m: f"{float(m[0]):.9f}", text)


def _names(la) -> dict:
    """{("areas" | "clusters", pk): name} of the LA's areas and clusters."""
    found = {("areas", pk): name for pk, name in Area.objects.filter(la=la).values_list("pk", "name")}
    return found | {("clusters", pk): name for pk, name in Cluster.objects.filter(la=la).values_list("pk", "name")}


def _pages(la) -> dict[str, str]:
    area = Area.objects.filter(la=la, schools__isnull=False).order_by("name").first()
    cluster = Cluster.objects.filter(la=la, schools__isnull=False).order_by("name").first()
    pages = {
        "overview": reverse("schools:la_overview"),
        "overview-detail": reverse("schools:la_overview_detail"),
        "area": reverse("schools:area", args=[area.pk]),
        "cluster": reverse("schools:cluster", args=[cluster.pk]),
        "cluster-rag": reverse("schools:cluster_rag"),
    }
    variants = {
        "year2023": "year=2023",
        "other-group": "group=sen_support&comparator=within",
        "measure": "measure=ks2_read_exp&comparator=like_for_like",
    }
    out = dict(pages)
    for name, url in pages.items():
        for variant, query in variants.items():
            out[f"{name}-{variant}"] = f"{url}?{query}"
    for table in ("headline", "areas", "clusters"):
        out[f"overview-export-{table}.csv"] = reverse("schools:la_overview_export", args=[table, "csv"])
    out["area-export-schools.csv"] = reverse("schools:area_export", args=[area.pk, "schools", "csv"])
    out["cluster-rag-export.csv"] = reverse("schools:cluster_rag_export", args=["rag", "csv"])
    return out


@pytest.fixture
def snapshot_la(db):
    return demo_module.generate(schools=30, years=8, seed=5)


def _adviser_pages(la) -> dict[str, str]:
    """The cluster RAG board as an adviser, who sees small cohorts suppressed (the LA's overview, areas and
    clusters are for LA-wide roles, all of whom see small cohorts)."""
    pages = _pages(la)
    return {f"adviser-{name}": pages[name] for name in ("cluster-rag", "cluster-rag-year2023")}


@pytest.mark.django_db
def test_pages_show_what_they_showed(snapshot_la):
    officer, adviser = Client(), Client()
    officer.force_login(snapshot_la.users["officer"])
    adviser.force_login(snapshot_la.users["adviser"])
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    changed = []
    asked = [(officer, name, url) for name, url in _pages(snapshot_la.la).items()]
    asked += [(adviser, name, url) for name, url in _adviser_pages(snapshot_la.la).items()]
    names = _names(snapshot_la.la)
    for client, name, url in asked:
        request_memo.clear()
        response = client.get(url)
        if name.startswith("adviser-"):
            shown = _main(response.content.decode(), names) if response.status_code == 200 else ""
            text = f"{response.status_code}\n{shown}"
        else:
            assert response.status_code == 200, (name, url, response.status_code)
            text = response.content.decode()
            text = text if name.endswith(".csv") else _main(text, names)
        path = SNAPSHOTS / (name if name.endswith(".csv") else f"{name}.html")
        if UPDATE or not path.exists():
            path.write_bytes(text.encode())
            continue
        if _steady(path.read_bytes().decode()) != _steady(text):  # bytes: a CSV's line ends are part of it
            changed.append(name)
            path.with_suffix(path.suffix + ".new").write_bytes(text.encode())
    assert not changed, f"pages changed (see tests/data/page_snapshots/*.new): {changed}"
