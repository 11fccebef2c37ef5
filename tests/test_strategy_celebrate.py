"""Success stories (started from a gap-buster candidate, publish flag, printable page), support engagements
(before/during/after chart with a table fallback and no inline script) and the template tags."""

import re
from datetime import date

import pytest
from django.template import Context, Template
from django.urls import reverse

from schools.roles import Role
from strategy.charts import engagement_chart
from strategy.models import SuccessStory, SupportEngagement, Target
from strategy.targets import status_of

from .strategy_support import build_alpha, make_user


@pytest.fixture
def alpha(db):
    la, school, measure, dis, other = build_alpha()
    from schools.models import School

    helper = School.objects.create(urn=901003, la=la, name="Beta Primary", phase="primary")
    officer = make_user("lao", Role.LA_OFFICER, la)
    head = make_user("alphahead", Role.HEADTEACHER, la, school=school)
    return dict(la=la, school=school, helper=helper, measure=measure, dis=dis, other=other, officer=officer, head=head)


def test_start_a_story_from_a_gap_buster_candidate(alpha, client):
    client.force_login(alpha["officer"])
    url = reverse("strategy:story_create") + "?school=901001&measure=ks2_rwm_exp&group=disadvantaged"
    form = client.get(url).context["form"]
    # Alpha has gaps in 2022, 2023 and 2024: the story spans the first and last
    assert form.initial["school"] == alpha["school"] and form.initial["from_year"] == 2022
    assert form.initial["to_year"] == 2024 and form.initial["comparison_group"] == alpha["other"]
    response = client.post(
        url,
        {
            "school": alpha["school"].pk,
            "title": "Alpha closes the gap",
            "measure": alpha["measure"].pk,
            "pupil_group": alpha["dis"].pk,
            "comparison_group": alpha["other"].pk,
            "from_year": 2022,
            "to_year": 2024,
            "what_we_did": "Named adults for every disadvantaged pupil",
            "impact": "",
            "published": "on",
        },
    )
    assert response.status_code == 302
    story = SuccessStory.objects.get()
    # gaps from the figures: 2022 80 − 50 = 30; 2024 82.5 − 60 = 22.5 → narrowed by 7.5
    assert (float(story.gap_before), float(story.gap_after), float(story.gap_change)) == (30.0, 22.5, -7.5)
    assert story.published_on == date.today() and story.created_by == alpha["officer"]
    assert "Narrowed by 7.5" in client.get(story.get_absolute_url()).content.decode()


def test_printable_page_lists_only_published_stories(alpha, client):
    common = dict(
        school=alpha["school"],
        measure=alpha["measure"],
        pupil_group=alpha["dis"],
        comparison_group=alpha["other"],
        from_year=2022,
        to_year=2024,
        what_we_did="x",
    )
    SuccessStory.objects.create(title="Published story", published=True, **common)
    SuccessStory.objects.create(title="Draft story", published=False, **common)
    client.force_login(alpha["head"])
    body = client.get(reverse("strategy:story_print")).content.decode()
    assert "Published story" in body and "Draft story" not in body


def test_story_years_must_run_forwards(alpha, client):
    client.force_login(alpha["officer"])
    response = client.post(
        reverse("strategy:story_create"),
        {
            "school": alpha["school"].pk,
            "title": "Backwards",
            "measure": alpha["measure"].pk,
            "pupil_group": alpha["dis"].pk,
            "comparison_group": alpha["other"].pk,
            "from_year": 2024,
            "to_year": 2022,
            "what_we_did": "x",
        },
    )
    assert response.status_code == 200 and not SuccessStory.objects.exists()


def _engagement(alpha):
    # September 2022 – July 2023: results 2022 before, 2023 during, 2024 after
    return SupportEngagement.objects.create(
        supporting_school=alpha["helper"],
        partner_school=alpha["school"],
        leader_name="Sam Patel",
        leader_designation="nle",
        start_date=date(2022, 9, 1),
        end_date=date(2023, 7, 20),
        status="completed",
    )


def test_engagement_phases_and_chart_rows(alpha):
    engagement = _engagement(alpha)
    assert [engagement.phase_of(y) for y in (2022, 2023, 2024)] == ["before", "during", "after"]
    objective = Target.objects.create(
        la=alpha["la"],
        school=alpha["school"],
        engagement=engagement,
        type="close_gap",
        measure=alpha["measure"],
        focus_group=alpha["dis"],
        baseline_year=2022,
        target_year=2024,
        target_value=20,
    )
    chart = engagement_chart(engagement, [objective], show_small_cohorts=False)
    rows = [(r["year"], r["phase"], r["gap"]) for r in chart["rows"]]
    # gaps 80 − 50 = 30, 80 − 55 = 25, 82.5 − 60 = 22.5
    assert rows == [(2022, "Before", 30.0), (2023, "During", 25.0), (2024, "After", 22.5)]
    assert chart["figure"]["data"][0]["y"] == [30.0, 25.0, 22.5]


def test_engagement_page_has_json_chart_table_and_no_inline_script(alpha, client):
    engagement = _engagement(alpha)
    client.force_login(alpha["head"])
    body = client.get(engagement.get_absolute_url()).content.decode()
    assert 'id="engagement-chart-data"' in body and 'data-chart="engagement-chart-data"' in body
    assert "js/charts.js" in body
    for tag in re.findall(r"<script[^>]*>", body):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "<caption>Gaps by year" in body and "During" in body and "22.5" in body
    # the head of the supporting school cannot see the partner's figures
    other_head = make_user("betahead", Role.HEADTEACHER, alpha["la"], school=alpha["helper"])
    client.force_login(other_head)
    assert client.get(engagement.get_absolute_url()).status_code == 404


def test_objectives_are_targets_of_the_partner_school(alpha, client):
    engagement = _engagement(alpha)
    client.force_login(alpha["officer"])
    response = client.post(
        reverse("strategy:objective_create", args=[engagement.pk]),
        {
            "type": "close_gap",
            "measure": alpha["measure"].pk,
            "focus_group": alpha["dis"].pk,
            "baseline_year": 2022,
            "target_year": 2025,
            "target_value": "20",
        },
    )
    assert response.status_code == 302
    target = engagement.objectives.get()
    assert target.school == alpha["school"] and target.la == alpha["la"]
    # 30 → 20 by 2025: the line expects 30 − 10×2/3 = 23.3 in 2024; 22.5 ≤ 23.3 → on track
    assert status_of(target, show_small_cohorts=True).code == "on_track"
    client.force_login(alpha["head"])
    assert client.post(reverse("strategy:objective_create", args=[engagement.pk]), {}).status_code == 403


def test_template_tags_for_school_pages(alpha, rf):
    from strategy import services

    Target.objects.create(
        la=alpha["la"],
        school=alpha["school"],
        type="reach",
        measure=alpha["measure"],
        focus_group=alpha["dis"],
        baseline_year=2022,
        target_year=2026,
        target_value=70,
    )
    Target.objects.create(
        la=alpha["la"],
        type="reach",
        measure=alpha["measure"],
        focus_group=alpha["dis"],
        baseline_year=2022,
        target_year=2026,
        target_value=99,
        title="LA-wide target",
    )
    adviser = make_user("sip", Role.ADVISER, alpha["la"], schools=[alpha["school"]])
    services.record_visit(
        adviser=adviser, school=alpha["school"], visit_date=date(2024, 11, 1), visit_type="termly", purpose="Review"
    )
    template = Template(
        "{% load strategy_tags %}{% scope_targets school user %}{% school_plans_and_visits school user %}"
    )
    html = template.render(Context({"school": alpha["school"], "user": alpha["head"]}))
    # reach 70 by 2026 from 50: the line expects 60 in 2024 and the figure is 60 → on track
    assert "On track" in html and "LA-wide target" not in html
    assert "Termly support visit" in html and "Record a visit" not in html
    la_html = Template("{% load strategy_tags %}{% scope_targets la user %}").render(
        Context({"la": alpha["la"], "user": alpha["officer"]})
    )
    assert "LA-wide target" in la_html
    assert (
        Template("{% load strategy_tags %}{% school_plans_and_visits school user %}")
        .render(Context({"school": alpha["school"], "user": adviser}))
        .count("Record a visit")
        == 1
    )
