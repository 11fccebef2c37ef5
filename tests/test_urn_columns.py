"""Schools are told apart by their URN: every table that lists schools, on a page or in an export, has a URN
column beside the name, and the school pickers name each school with its URN (names repeat: the demo LA has
several "Ashby … Primary School"s)."""

import csv
import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.response_support import body

SCHOOL_LINK = re.compile(r'href="/schools/(\d+)/')


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _tables(html: str) -> list[str]:
    return re.findall(r"<table\b.*?</table>", html, flags=re.S)


def _headers(table: str) -> list[str]:
    head = re.search(r"<thead>(.*?)</thead>", table, flags=re.S)
    cells = re.findall(r"<th\b[^>]*>(.*?)</th>", head.group(1) if head else "", flags=re.S)
    return [re.sub(r"<[^>]+>", "", c).replace("(sort)", "").strip() for c in cells]


def _school_tables(html: str) -> list[str]:
    """Tables whose body links to school pages: the tables that list schools."""
    out = []
    for table in _tables(html):
        body = re.search(r"<tbody>(.*?)</tbody>", table, flags=re.S)
        if body and SCHOOL_LINK.search(body.group(1)):
            out.append(table)
    return out


@pytest.mark.django_db
def test_every_table_listing_schools_has_a_urn_column(demo_full):
    from django.contrib.auth import get_user_model

    from schools.models import School

    users = {u.username: u for u in get_user_model().objects.filter(username__in=["officer", "adviser", "head"])}
    first = School.objects.filter(la=demo_full, area__isnull=False, cluster__isnull=False).order_by("urn").first()
    area, cluster = first.area, first.cluster  # an area and a cluster with schools in them
    pages = {
        "officer": [
            "/overview/",
            "/overview/detail/",
            f"/areas/{area.pk}/",
            f"/clusters/{cluster.pk}/",
            "/schools/",
            "/priority/?measure=ks2_rwm_exp",
            "/gap-busters/?measure=ks2_rwm_exp",
            "/strategy/visits/",
        ],
        "adviser": ["/schools/", "/priority/?measure=ks2_rwm_exp", "/gap-busters/", "/strategy/visits/"],
        "head": ["/schools/", "/strategy/visits/"],
    }
    checked = set()
    for username, urls in pages.items():
        client = _client(users[username])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (username, url)
            for table in _school_tables(response.content.decode()):
                headers = _headers(table)
                assert "URN" in headers, (username, url, headers)
                # Each row's URN is the one its school link points to.
                for row in re.findall(
                    r"<tr>(.*?)</tr>", re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1), re.S
                ):
                    linked = SCHOOL_LINK.findall(row)
                    if linked:
                        cells = re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, flags=re.S)
                        texts = [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
                        assert texts[headers.index("URN")] == linked[0], (url, texts)
                checked.add((username, url))
    # The pages whose tables list schools in the demo: none of them was skipped.
    for expected in [
        ("officer", "/overview/"),
        ("officer", f"/areas/{area.pk}/"),
        ("officer", f"/clusters/{cluster.pk}/"),
        ("officer", "/schools/"),
        ("officer", "/priority/?measure=ks2_rwm_exp"),
        ("adviser", "/schools/"),
    ]:
        assert expected in checked, (expected, checked)


@pytest.mark.django_db
def test_every_export_listing_schools_has_a_urn_column(demo_full):
    from django.contrib.auth import get_user_model

    from schools.models import School

    officer = _client(get_user_model().objects.get(username="officer"))
    first = School.objects.filter(la=demo_full, area__isnull=False, cluster__isnull=False).order_by("urn").first()
    area, cluster = first.area, first.cluster
    urns = {s.name: s.urn for s in School.objects.filter(la=demo_full)}
    exports = [
        "/priority/export/priority",
        "/gap-busters/export/busters",
        f"/areas/{area.pk}/export/schools",
        f"/clusters/{cluster.pk}/export/schools",
    ]
    for base in exports:
        rows = list(csv.reader(io.StringIO(body(officer.get(f"{base}.csv?measure=ks2_rwm_exp")).decode())))
        header = rows[2]
        assert "URN" in header and header.index("URN") == header.index("Name") + 1, (base, header)
        for row in rows[3:]:
            assert int(row[header.index("URN")]) == urns[row[header.index("Name")]], (base, row)
        book = load_workbook(io.BytesIO(officer.get(f"{base}.xlsx?measure=ks2_rwm_exp").content), read_only=True)
        sheet_rows = [list(r) for r in book.active.iter_rows(values_only=True)]
        xheader = next(r for r in sheet_rows if "Name" in r)
        assert "URN" in xheader, (base, xheader)
    # Areas and clusters have no URN column.
    rows = list(csv.reader(io.StringIO(officer.get("/overview/export/areas.csv").content.decode())))
    assert "URN" not in rows[2]


@pytest.mark.django_db
def test_the_visit_picker_names_each_school_with_its_urn(demo_full):
    from django.contrib.auth import get_user_model

    adviser = get_user_model().objects.get(username="adviser")
    html = _client(adviser).get("/strategy/visits/").content.decode()
    options = re.findall(r'<option value="(\d+)">([^<]*)</option>', html)
    assert options
    for urn, text in options:
        assert text.endswith(f"(URN {urn})"), text


@pytest.mark.django_db
def test_story_and_support_lists_give_each_school_its_urn(demo_full):
    """The success-story and school-to-school support lists name schools without linking to their pages: the URN
    stands in the column after each school's name, and is that school's."""
    from django.contrib.auth import get_user_model

    from strategy.models import SuccessStory, SupportEngagement

    officer = _client(get_user_model().objects.get(username="officer"))
    checks = [
        ("/strategy/stories/", "School", "URN", {(s.school.name, s.school.urn) for s in SuccessStory.objects.all()}),
        (
            "/strategy/support/",
            "Partner school",
            "Partner URN",
            {(e.partner_school.name, e.partner_school.urn) for e in SupportEngagement.objects.all()},
        ),
        (
            "/strategy/support/",
            "Supported by",
            "Supporter URN",
            {(e.supporting_school.name, e.supporting_school.urn) for e in SupportEngagement.objects.all()},
        ),
    ]
    for url, name_header, urn_header, pairs in checks:
        assert pairs, (url, "the demo has rows to check")
        (table,) = _tables(officer.get(url).content.decode())
        headers = _headers(table)
        assert headers.index(urn_header) == headers.index(name_header) + 1, (url, headers)
        seen = 0
        for row in re.findall(r"<tr>(.*?)</tr>", re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1), re.S):
            cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.S)]
            name, urn = cells[headers.index(name_header)], cells[headers.index(urn_header)]
            assert (name, int(urn)) in pairs, (url, cells)
            seen += 1
        assert seen == SuccessStory.objects.count() if "stories" in url else seen == SupportEngagement.objects.count()
