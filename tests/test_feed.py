"""The read-only BI feed: token authentication, scoping to the token's user, suppression, pagination, CSV."""

from __future__ import annotations

import csv
import io

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.report_support import all_pupils_add_up


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def users(demo):
    return demo.users


def test_no_token_or_a_bad_token_is_401(users):
    assert APIClient().get("/api/figures/schools/").status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/figures/schools/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_signed_in_session_is_not_enough(users, client):
    client.force_login(users["officer"])
    assert client.get("/api/figures/schools/").status_code == 401


def test_a_heads_token_sees_only_their_school(users):
    head = users["head"]
    school = head.profile.school
    client = _client(head)
    rows = client.get("/api/figures/schools/?measure=ks2_rwm_exp,ks2_read_avg&page_size=1000").json()["results"]
    assert rows and {r["code"] for r in rows} == {school.urn}
    for level in ("las", "areas", "clusters"):
        body = client.get(f"/api/figures/{level}/").json()
        assert body["count"] == 0 and body["results"] == []


def test_figures_equal_gap_report_and_small_cohorts_are_suppressed_even_for_an_officer(users):
    import json

    from django.core.management import call_command

    from schools.models import Result

    officer = users["officer"]
    school = users["head"].profile.school
    result = Result.objects.get(
        school=school, results_year=2025, measure__code="ks2_rwm_exp", pupil_group__code="disadvantaged"
    )
    result.cohort, result.achievers, result.value = 4, 1, 25
    result.save()
    all_pupils_add_up(school, result)
    rows = _client(officer).get("/api/figures/schools/?measure=ks2_rwm_exp&year=2025&page_size=1000").json()["results"]
    (mine,) = [r for r in rows if r["code"] == school.urn]
    assert mine["suppressed"] is True
    assert mine["cohort"] is None and mine["value"] is None and mine["gap"] is None
    assert mine["comparison_value"] is None  # secondary suppression: all pupils minus it would give it away
    out = io.StringIO()
    call_command(
        "gap_report",
        level="school",
        measure="ks2_rwm_exp",
        group="disadvantaged",
        year=2025,
        format="json",
        stdout=out,
        stderr=io.StringIO(),
    )
    expected = {r["code"]: r for r in json.loads(out.getvalue())}
    assert len(rows) == len(expected)
    for row in rows:
        for field in ("value", "comparison_value", "gap", "gap_vs_national", "trend", "suppressed"):
            assert row[field] == expected[row["code"]][field], (row["name"], field)
    la_rows = _client(officer).get("/api/figures/las/?measure=ks2_rwm_exp&year=2025").json()["results"]
    out = io.StringIO()
    call_command(
        "gap_report",
        level="la",
        measure="ks2_rwm_exp",
        group="disadvantaged",
        year=2025,
        format="json",
        stdout=out,
        stderr=io.StringIO(),
    )
    (la_expected,) = json.loads(out.getvalue())
    assert la_rows[0]["value"] == la_expected["value"] and la_rows[0]["cohort"] == la_expected["cohort"]


def test_pagination_and_csv(users):
    client = _client(users["officer"])
    first = client.get("/api/figures/schools/?page_size=5").json()
    assert first["count"] > 5 and len(first["results"]) == 5 and first["previous"] is None
    second = client.get(first["next"]).json()
    assert second["results"][0] != first["results"][0] and len(second["results"]) == 5
    assert client.get("/api/figures/schools/?page=999").status_code == 404
    response = client.get("/api/figures/schools/?page_size=5&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(table) == 5 and table[0]["name"] == first["results"][0]["name"]
    assert 'rel="next"' in response["Link"]


def test_bad_parameters_say_what_is_wrong(users):
    client = _client(users["officer"])
    response = client.get("/api/figures/las/?measure=nonsense")
    assert response.status_code == 400 and "nonsense" in str(response.json()["measure"])
    assert client.get("/api/figures/las/?group=nope").status_code == 400
    assert client.get("/api/figures/las/?year=abc").status_code == 400
    assert client.post("/api/figures/las/").status_code == 405
