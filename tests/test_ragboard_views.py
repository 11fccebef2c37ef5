"""Dashboard, judgement editing, evidence, comparing rounds, plan board, indicators and access."""

import re
from datetime import date
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from ragboard import indicators, selectors, services
from ragboard.models import EvidenceItem, Judgement, OverallRating, Round, StrategicTarget
from schools.models import Benchmark, LocalAuthority, Measure, PupilGroup, Result, School
from strategy.targets import status_of

SETS = ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.4", "2.5"]
# DCSF quality standards (2009), "How the dashboard works" – Local authority: Any Borough (transcribed).
ANY_BOROUGH = {
    "EY": "G G OS N/A NI G N/A N/A G SI".split(),
    "PRI": "NI NI G G G NI G G G G".split(),
    "SEC": "G G OS G G NI G NI G G".split(),
}
ANY_BOROUGH_OVERALL = {
    "EY": ("Good", "Needs some improvement"),
    "PRI": ("Needs some improvement", "Good"),
    "SEC": ("Good", "Needs some improvement"),
    "ALL": ("Good", "Needs some improvement"),
}
WORDS = {"Good": "G", "Needs some improvement": "NI"}


def text(html_fragment: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html_fragment))).strip()


def cells(html: str) -> dict[str, str]:
    """data-cell → the cell's first visible text (the letters or words)."""
    out = {}
    for key, body in re.findall(r'data-cell="([^"]+)"[^>]*>(.*?)</td>', html, flags=re.S):
        first = re.split(r'<span class="cell-note">', body)[0]
        out[key] = text(first)
    return out


@pytest.fixture
def round_(demo):
    return services.start_round(
        la=demo.la,
        label="2025/26 autumn",
        as_of=date(2025, 10, 15),
        user=demo.users["officer"],
        reviewer=demo.users["admin"],
    )


def load_example_grid(round_):
    """Put the Any Borough grid into both views (the rendering test; the rules are tested elsewhere)."""
    for phase, grades in ANY_BOROUGH.items():
        for code, grade in zip(SETS, grades, strict=True):
            j = round_.judgements.get(standard_set__code=code, phase=phase)
            assert j.not_applicable == (grade == "N/A")
            if grade != "N/A":
                Judgement.objects.filter(pk=j.pk).update(la_grade=grade, reviewer_grade=grade)
    for phase, (rag1, rag2) in ANY_BOROUGH_OVERALL.items():
        for number, words in ((1, rag1), (2, rag2)):
            OverallRating.objects.filter(
                round=round_, key_rating__number=number, phase="" if phase == "ALL" else phase
            ).update(la_grade=WORDS[words], reviewer_grade=WORDS[words])


# --------------------------------------------------------------------------- the dashboard
@pytest.mark.django_db
def test_the_any_borough_example_grid_renders_cell_for_cell(round_, role_client, django_assert_max_num_queries):
    load_example_grid(round_)
    client = role_client("officer")
    with django_assert_max_num_queries(40):
        response = client.get(reverse("ragboard:home"))
    assert response.status_code == 200
    html = response.content.decode()
    grid_html = html[html.index('id="dashboard-grid"') : html.index("</table>", html.index('id="dashboard-grid"'))]
    got = cells(grid_html)
    for phase, grades in ANY_BOROUGH.items():
        for code, grade in zip(SETS, grades, strict=True):
            assert got[f"{phase}-{code}"] == grade, (phase, code)
            css = "rag-NA" if grade == "N/A" else f"rag-{grade}"
            assert re.search(rf'class="rag {css}" data-cell="{phase}-{re.escape(code)}"', grid_html)
    for phase, (rag1, rag2) in ANY_BOROUGH_OVERALL.items():
        assert got[f"{phase}-RAG1"] == rag1 and got[f"{phase}-RAG2"] == rag2, phase
    # Rows and columns in the document's order; the two key ratings head their five columns each.
    rows = re.findall(r'data-row="([^"]+)"', grid_html)
    assert rows == [
        "Early Years",
        "Early Years overall",
        "Primary",
        "Primary overall",
        "Secondary",
        "Secondary overall",
        "Overall",
    ]
    headers = re.findall(r'<th scope="col"><abbr title="[^"]+">([\d.]+)</abbr></th>', grid_html)
    assert headers == SETS
    assert 'colspan="5">Impact of the LA on raising standards and improving progress</th>' in grid_html
    assert 'colspan="5">Risk management and intervention</th>' in grid_html
    # The legend spells the grades out; suggestions agree with the recorded example, so none is flagged.
    page = text(html)
    for words in (
        "OS Outstanding",
        "G Good",
        "NI Needs improvement (Requires some improvement)",
        "SI Significant improvement needed (Requires significant improvement)",
    ):
        assert words in page
    assert "Suggested:" not in grid_html
    assert "Overall, RAG 2: Needs some improvement – Only 9 of 13 (69%)" in page


@pytest.mark.django_db
def test_the_grid_shows_where_the_two_views_differ_and_suggests_missing_overalls(round_, role_client):
    j = round_.judgements.get(standard_set__code="1.1", phase="PRI")
    Judgement.objects.filter(pk=j.pk).update(la_grade="G", reviewer_grade="NI")
    html = role_client("officer").get(reverse("ragboard:home")).content.decode()
    assert re.search(r'data-cell="PRI-1.1">.*?>NI</a><span class="cell-note">LA: G</span>', html, flags=re.S)
    # No overall recorded: the suggestion is shown. Reviewer view: 0 of 1 rated cells Good or better → NI.
    assert re.search(
        r'data-cell="PRI-RAG1"><a [^>]+>Not yet rated</a><span class="cell-note">Suggested: '
        r"Needs some improvement",
        html,
    )
    html = role_client("officer").get(reverse("ragboard:home") + "?view=la").content.decode()
    assert re.search(r'data-cell="PRI-1.1">.*?>G</a><span class="cell-note">Reviewer: NI</span>', html, flags=re.S)
    # LA view: 1 of 1 rated cells (100%) Good or better → Good.
    assert re.search(r'data-cell="PRI-RAG1"><a [^>]+>Not yet rated</a><span class="cell-note">Suggested: Good', html)


@pytest.mark.django_db
def test_demo_creates_the_any_borough_round_with_evidence_and_is_idempotent(demo_full):
    la = demo_full
    latest = Round.objects.filter(la=la).first()
    assert latest.label == "2025/26 autumn" and Round.objects.filter(la=la).count() == 2
    grid = selectors.grid(latest, "reviewer")
    phase_rows = [row for row in grid.rows if row.kind == "phase"]
    assert {row.phase: [c.grade for c in row.cells] for row in phase_rows} == ANY_BOROUGH
    # The LA judged itself better than the reviewer in two cells; both grades obey the rules.
    la_view = selectors.grid(latest, "la")
    assert [c.grade for c in la_view.rows[2].cells][0] == "G"
    for j in latest.judgements.exclude(reviewer_grade=""):
        assessment = selectors.judgement_assessment(j)
        assert assessment.allows(j.la_grade) and assessment.allows(j.reviewer_grade), j
        assert not j.override_reason
    counts = (
        Round.objects.count(),
        Judgement.objects.count(),
        EvidenceItem.objects.count(),
        StrategicTarget.objects.count(),
    )
    call_command("generate_demo_data", schools=12, years=5, seed=3, stdout=open("/dev/null", "w"))
    assert counts == (
        Round.objects.count(),
        Judgement.objects.count(),
        EvidenceItem.objects.count(),
        StrategicTarget.objects.count(),
    )


# --------------------------------------------------------------------------- access
@pytest.mark.django_db
@pytest.mark.parametrize("username", ["head", "adviser", "data"])
def test_only_la_officers_and_administrators_see_the_self_evaluation(round_, role_client, username):
    j = round_.judgements.first()
    item = services.add_evidence(
        la=round_.la,
        user=round_.reviewer,
        kind="data",
        title="T",
        date=date(2025, 1, 1),
        summary="s",
        link="https://example.org",
    )
    client = role_client(username)
    for url in [
        reverse("ragboard:home"),
        reverse("ragboard:round", args=[round_.pk]),
        reverse("ragboard:judgement", args=[j.pk]),
        reverse("ragboard:evidence"),
        reverse("ragboard:evidence_detail", args=[item.pk]),
        reverse("ragboard:compare"),
        reverse("ragboard:plan_board"),
        reverse("ragboard:framework"),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("ragboard:judgement", args=[j.pk]), {"la_grade": "G"}).status_code == 404


@pytest.mark.django_db
def test_officers_and_administrators_get_in_and_anonymous_users_are_sent_to_sign_in(round_, role_client, client):
    for username in ("officer", "admin"):
        assert role_client(username).get(reverse("ragboard:home")).status_code == 200
    response = client.get(reverse("ragboard:home"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_an_officer_of_another_la_cannot_open_this_las_round(round_, demo):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    other_la = LocalAuthority.objects.create(code="998", name="Otherton")
    School.objects.create(urn=990001, la=other_la, name="Otherton Primary")
    user = get_user_model().objects.create_user("other-officer", password="x-long-password")
    user.groups.add(Group.objects.get(name="LA officer"))
    from schools.models import Profile

    Profile.objects.update_or_create(user=user, defaults={"la": other_la})
    client = Client()
    client.force_login(user)
    assert client.get(reverse("ragboard:round", args=[round_.pk])).status_code == 404
    assert client.get(reverse("ragboard:judgement", args=[round_.judgements.first().pk])).status_code == 404


# --------------------------------------------------------------------------- editing a judgement
@pytest.mark.django_db
def test_a_forbidden_grade_posted_by_an_officer_is_refused_with_the_reason_and_nothing_changes(round_, role_client):
    j = round_.judgements.get(standard_set__code="1.4", phase="PRI")
    weakness = j.standard_set.descriptors.get(column="NI", is_critical=True)
    response = role_client("officer").post(
        reverse("ragboard:judgement", args=[j.pk]),
        {
            "la_grade": "G",
            "ticked": [weakness.pk],
            "rationale": "We broker well.",
        },
    )
    assert response.status_code == 400
    page = text(response.content.decode())
    assert "Not saved: the rules forbid this grade." in page
    assert "The LA does not use the SIP/NCA as the key brokering agent for support to schools" in page
    j.refresh_from_db()
    assert j.la_grade == "" and j.rationale == "" and not j.ticked.exists()


@pytest.mark.django_db
def test_an_allowed_judgement_is_saved_with_ticks_and_figures(round_, role_client):
    j = round_.judgements.get(standard_set__code="1.5", phase="PRI")
    weak = [d.pk for d in j.standard_set.descriptors.filter(column="NI", rule="statement")]
    response = role_client("officer").post(
        reverse("ragboard:judgement", args=[j.pk]),
        {
            "la_grade": "NI",
            "ticked": weak,
            "metric_targets_in_line_pct": "72.5",
            "rationale": "Targets improving.",
            "strengths": "Tracking in place.",
            "areas_for_improvement": "Consistency.",
        },
    )
    assert response.status_code == 302
    j.refresh_from_db()
    assert j.la_grade == "NI" and j.metrics == {"targets_in_line_pct": 72.5}
    assert set(j.ticked.values_list("pk", flat=True)) == set(weak)
    page = text(role_client("officer").get(reverse("ragboard:judgement", args=[j.pk])).content.decode())
    # 72.5% is in "Between 50% and 80%": the band caps the grade at Requires some improvement.
    assert "The rules allow Requires some improvement at best." in page
    assert "Percentage of schools that set targets in line with DCSF guidance: 72.5%" in page


@pytest.mark.django_db
def test_a_reviewer_can_override_through_the_page(round_, role_client):
    j = round_.judgements.get(standard_set__code="2.1", phase="SEC")
    client = role_client("admin")
    response = client.post(reverse("ragboard:judgement", args=[j.pk]), {"la_grade": "", "reviewer_grade": "G"})
    assert response.status_code == 400
    assert "As reviewer you may record an override reason" in response.content.decode()
    response = client.post(
        reverse("ragboard:judgement", args=[j.pk]),
        {
            "reviewer_grade": "G",
            "override_reason": "Consultant deployment evidence seen on the visit.",
        },
    )
    assert response.status_code == 302
    j.refresh_from_db()
    assert j.reviewer_grade == "G" and j.override_reason.startswith("Consultant deployment")
    page = text(client.get(reverse("ragboard:judgement", args=[j.pk])).content.decode())
    assert "“Consultant deployment evidence seen on the visit.”" in page


# --------------------------------------------------------------------------- evidence
@pytest.mark.django_db
def test_evidence_upload_gets_a_generated_name_and_is_served_only_to_permitted_users(
    round_, role_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    j = round_.judgements.get(standard_set__code="1.1", phase="PRI")
    upload = SimpleUploadedFile("Smith family visit notes.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    criterion = j.standard_set.descriptors.get(code="1.1-G2")
    response = role_client("officer").post(
        reverse("ragboard:evidence_new") + f"?judgement={j.pk}",
        {
            "kind": "visit",
            "title": "Visit notes",
            "date": "2025-06-01",
            "summary": "Notes of the visit.",
            "file": upload,
            "shows_impact": "on",
            "impact_strength": "evidence",
            "descriptors": [criterion.pk],
        },
    )
    assert response.status_code == 302
    item = EvidenceItem.objects.get(title="Visit notes")
    assert re.fullmatch(r"ragboard/evidence/[0-9a-f]{32}\.pdf", item.file.name)
    assert "Smith" not in item.file.name and item.original_filename == "Smith family visit notes.pdf"
    assert list(item.judgements.all()) == [j] and list(item.descriptors.all()) == [criterion]
    download = role_client("officer").get(reverse("ragboard:evidence_file", args=[item.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 evidence"
    assert role_client("head").get(reverse("ragboard:evidence_file", args=[item.pk])).status_code == 404


@pytest.mark.django_db
def test_bad_evidence_is_refused_and_nothing_is_stored(round_, role_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = role_client("officer")
    response = client.post(
        reverse("ragboard:evidence_new"),
        {
            "kind": "data",
            "title": "Script",
            "date": "2025-06-01",
            "summary": "x",
            "file": SimpleUploadedFile("run.exe", b"MZ"),
        },
    )
    assert response.status_code == 400 and "Files of type .exe are not accepted." in response.content.decode()
    response = client.post(
        reverse("ragboard:evidence_new"),
        {
            "kind": "data",
            "title": "Nothing to open",
            "date": "2025-06-01",
            "summary": "x",
            "shows_impact": "on",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give a link or upload a file" in page and "Say how strong the evidence of impact is." in page
    assert not EvidenceItem.objects.exists()


# --------------------------------------------------------------------------- comparing rounds
@pytest.mark.django_db
def test_compare_shows_what_changed_and_why(demo_full, django_user_model):
    from django.test import Client

    officer = django_user_model.objects.get(username="officer")
    later, earlier = Round.objects.filter(la=demo_full)[:2]
    changes = {(c.set_code, c.phase): c for c in selectors.compare(earlier, later)}
    # Primary 2.3 was NI in 2024/25 and G in 2025/26 (demo): improved, with the four criteria for good now ticked.
    change = changes[("2.3", "Primary")]
    assert (change.before, change.after, change.direction) == ("NI", "G", "improved")
    assert "reviews progress, plans further action and adapts approaches." in [d.text for d in change.added]
    assert changes[("1.4", "Early Years")].direction == "n/a"
    assert changes[("1.1", "Secondary")].direction == "unchanged"
    client = Client()
    client.force_login(officer)
    page = text(client.get(reverse("ragboard:compare") + f"?earlier={earlier.pk}&later={later.pk}").content.decode())
    assert "Rationale: 2.3 (PRI): judged Good against the criteria ticked and the linked evidence." in page
    improved = sum(1 for c in changes.values() if c.direction == "improved")
    assert f"{improved} improved" in page


# --------------------------------------------------------------------------- plan board
@pytest.mark.django_db
def test_plan_board_computes_are_we_on_track_from_linked_targets(demo_full, django_user_model):
    from django.test import Client

    linked = StrategicTarget.objects.get(la=demo_full, strategy_target__isnull=False)
    expected = status_of(linked.strategy_target, show_small_cohorts=True)  # an LA officer reads the board
    judged = StrategicTarget.objects.get(la=demo_full, strategy_target__isnull=True)
    client = Client()
    client.force_login(django_user_model.objects.get(username="officer"))
    html = client.get(reverse("ragboard:plan_board")).content.decode()
    assert f'data-status="{expected.code}">{expected.label}' in html
    assert 'data-status="judged">Amber/Green (judged)' in html
    assert judged.get_judged_on_track_display() == "Amber/Green"
    page = text(html)
    for heading in ("Analysis of need", "Interventions", "Intended impact", "RAG", "Next priorities"):
        assert heading in page
    assert "Improving the outcomes for disadvantaged pupils" in page and "A/G Amber/Green" in page


# --------------------------------------------------------------------------- indicators
@pytest.mark.django_db
def test_indicators_pool_the_las_disadvantaged_pupils_against_national_others():
    la = LocalAuthority.objects.create(code="997", name="Smallton")
    a = School.objects.create(urn=970001, la=la, name="A Primary", phase="primary")
    b = School.objects.create(urn=970002, la=la, name="B Primary", phase="primary")
    ks2 = Measure.objects.get(code="ks2_rwm_exp")
    dis, other, everyone = (PupilGroup.objects.get(code=c) for c in ("disadvantaged", "not_disadvantaged", "all"))
    rows = [(a, dis, 10, 4), (b, dis, 30, 15), (a, everyone, 40, 20), (b, everyone, 50, 40)]
    for school, group, cohort, achievers in rows:
        Result.objects.create(
            school=school,
            results_year=2025,
            measure=ks2,
            pupil_group=group,
            cohort=cohort,
            achievers=achievers,
            value=round(100 * achievers / cohort, 1),
        )
    Benchmark.objects.create(
        geography_code=Benchmark.NATIONAL_CODE,
        kind="national",
        results_year=2025,
        measure=ks2,
        pupil_group=other,
        cohort=1000,
        achievers=700,
        value=70,
    )
    gap = indicators.disadvantaged_gap(la, "PRI", years=[2025])
    # Pooled: (4 + 15) / (10 + 30) = 19/40 = 47.5%; national other pupils 700/1000 = 70.0%; gap 70.0 − 47.5 = +22.5.
    assert gap.text == (
        "2024/25: LA disadvantaged 47.5% (40 pupils) against national other pupils 70.0%: gap +22.5 percentage points."
    )
    # Floor standards were abolished in 2019: with no LA threshold there is nothing to count against.
    assert not indicators.schools_below_threshold(la, "PRI", years=[2025]).available
    from datetime import date

    from schools.models import LocalThreshold

    LocalThreshold.objects.create(
        la=la,
        name="Smallton KS2 ambition",
        adopted_on=date(2024, 9, 1),
        measure=ks2,
        pupil_group=everyone,
        results_year=2025,
        value=65,
    )
    below = indicators.schools_below_threshold(la, "PRI", years=[2025])
    # All pupils: A 20/40 = 50% (below the LA's 65%), B 40/50 = 80% → 1 of 2 below.
    assert below.text.startswith("2024/25: 1 of 2 primary schools with a figure are below 65.0%")
    assert "Smallton KS2 ambition (set by Smallton, adopted 1 September 2024)" in below.definition
    assert not indicators.disadvantaged_gap(la, "SEC", years=[2025]).available  # missing is never zero


# --------------------------------------------------------------------------- colours
def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_grade_colours_pass_contrast_and_are_all_different():
    from pathlib import Path

    css = (Path(__file__).resolve().parent.parent / "ragboard/static/ragboard/ragboard.css").read_text()
    fills = {}
    for grade in ("OS", "G", "NI", "SI", "NA"):
        match = re.search(
            rf"\.ragboard \.rag-{grade}\b[^{{]*{{ background: (#[0-9a-f]{{6}}); color: (#[0-9a-f]{{6}}); }}", css
        )
        assert match, grade
        background, colour = match.groups()
        lighter, darker = sorted((_luminance(background), _luminance(colour)), reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, grade  # WCAG 2.2 AA for normal text
        fills[grade] = background
    assert len(set(fills.values())) == 5
