"""axe-core (WCAG 2.0/2.1/2.2 A and AA) on every main page, as each role sees it.

The journeys check the pages they pass through; this tour covers the rest, and reports every
violation on every page at once (rule, page, node) rather than stopping at the first.
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.demo_apps("strategy", "ragboard")]


def first_pk(model, **filters):
    item = model.objects.filter(**filters).order_by("pk").first()
    return item.pk if item else None


def pages_for(role, site):
    from ragboard.models import EvidenceItem, Judgement
    from schools.models import School
    from strategy.models import Action, Plan, SuccessStory, SupportEngagement, Target, VisitReport

    la = site.la
    head_school = site.users["head"].profile.school
    adviser_school = site.users["adviser"].profile.schools.order_by("urn").first()
    common = ["/strategy/", "/strategy/plans/", "/strategy/visits/", "/strategy/targets/", "/strategy/stories/"]
    if role == "officer":
        school = School.objects.filter(la=la, phase="secondary").order_by("urn").first()
        special = School.objects.filter(la=la, phase="special").order_by("urn").first()  # no national gap, why
        carded = School.objects.filter(la=la, inspections__framework="report_card").order_by("urn").first()
        pages = [
            "/overview/",
            "/overview/detail/",
            f"/schools/{head_school.urn}/groups/?group=fsm",
            f"/schools/{head_school.urn}/measures/ks2_rwm_exp/",
            f"/areas/{head_school.area_id}/",
            f"/clusters/{head_school.cluster_id}/",
            "/schools/",
            f"/schools/{school.urn}/",
            f"/schools/{special.urn}/",
            f"/schools/{carded.urn}/",
            "/priority/",
            "/gap-busters/",
            "/cluster-rag/",
            *common,
            "/strategy/support/",
            "/strategy/visits/quality/",
            "/strategy/stories/published/",
            f"/strategy/plans/{first_pk(Plan, la=la)}/",
            f"/strategy/actions/{first_pk(Action)}/",
            f"/strategy/targets/{first_pk(Target)}/",
            f"/strategy/visits/{first_pk(VisitReport)}/",
            f"/strategy/stories/{first_pk(SuccessStory)}/",
            f"/strategy/support/{first_pk(SupportEngagement)}/",
            "/strategy/plans/new/",
            "/ragboard/",
            "/ragboard/compare/",
            "/ragboard/evidence/",
            "/ragboard/plan/",
            "/ragboard/framework/",
            f"/ragboard/judgements/{first_pk(Judgement, round__la=la, not_applicable=False)}/",
            f"/ragboard/evidence/{first_pk(EvidenceItem, la=la)}/",
            "/ragboard/evidence/new/",
        ]
    elif role == "adviser":
        pages = [
            "/schools/",
            f"/schools/{adviser_school.urn}/",
            "/priority/",
            "/gap-busters/",
            *common,
            f"/strategy/visits/new/{adviser_school.urn}/",
        ]
    elif role == "head":
        pages = [
            f"/schools/{head_school.urn}/",
            "/schools/",
            *common,
            f"/strategy/visits/{first_pk(VisitReport, school=head_school)}/",
        ]
    else:  # data manager
        pages = ["/imports/", "/schools/"]
    return [page for page in pages if "/None/" not in page]


@pytest.mark.parametrize("role", ["officer", "adviser", "head", "data"])
def test_main_pages_pass_axe(ui, sign_in, role):
    found, statuses = [], {}
    sign_in(role)
    for path in pages_for(role, ui.site):
        response = ui.goto(path, collect=found)
        statuses[path] = response.status
    assert {path: status for path, status in statuses.items() if status != 200} == {}
    assert not found, "\n\n".join(found)


TABLE_PROBLEMS_JS = """() => Array.from(document.querySelectorAll('main table')).flatMap(table => {
  const name = (table.querySelector('caption') || {}).textContent || table.outerHTML.slice(0, 60);
  const problems = [];
  if (!table.querySelector('caption')) problems.push('no <caption>: ' + name.trim());
  const bare = Array.from(table.querySelectorAll('th')).filter(th => !th.getAttribute('scope')).length;
  if (bare) problems.push(bare + ' <th> without scope in: ' + name.trim().slice(0, 80));
  return problems;
})"""


def test_every_table_has_a_caption_and_scoped_headers(ui, sign_in):
    """The project's standard (beyond axe): tables with <caption> and <th scope>."""
    problems = {}
    for role in ("officer", "head"):
        ui.page.context.clear_cookies()
        sign_in(role)
        for path in pages_for(role, ui.site):
            ui.goto(path, check=False)
            found = ui.page.evaluate(TABLE_PROBLEMS_JS)
            if found:
                problems[f"{role} {path}"] = found
    ui.check()
    assert problems == {}
