"""The framework fixture and the rule engine, in the wording of the DCSF quality standards (2009)."""

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from ragboard import framework as framework_loader
from ragboard import rules, services
from ragboard.models import Descriptor, EvidenceItem, Framework, Judgement, Round, StandardSet

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "quality_standards_2009.json"


# --------------------------------------------------------------------------- helpers
@pytest.fixture
def round_(demo):
    return services.start_round(
        la=demo.la,
        label="2025/26 autumn",
        as_of=date(2025, 10, 15),
        user=demo.users["officer"],
        reviewer=demo.users["admin"],
    )


def cell(round_, code, phase) -> Judgement:
    return round_.judgements.select_related("standard_set__framework").get(standard_set__code=code, phase=phase)


def descriptors(judgement, column=None, *, manual_only=True):
    out = [d for d in judgement.standard_set.descriptors.all() if d.applies_to(judgement.phase)]
    if manual_only:
        out = [d for d in out if not d.is_automatic]
    return [d for d in out if column is None or d.column == column]


def find(judgement, starts_with) -> Descriptor:
    matches = [d for d in judgement.standard_set.descriptors.all() if d.text.startswith(starts_with)]
    assert len(matches) == 1, (starts_with, matches)
    return matches[0]


def evidence(la, strength):
    """An evidence item: strength '' = process only, 'evidence' or 'substantial'."""
    return EvidenceItem.objects.create(
        la=la,
        kind=EvidenceItem.Kind.DATA,
        title=f"Evidence {strength or 'process'}",
        date=date(2025, 7, 1),
        summary="…",
        link="https://example.org/e",
        shows_impact=bool(strength),
        impact_strength=strength,
    )


def assess(judgement, ticked, *, metrics=None, strength="substantial"):
    items = [evidence(judgement.round.la, strength)] if strength is not None else []
    return rules.assess_judgement(judgement, ticked=[d.pk for d in ticked], metrics=metrics or {}, evidence=items)


# --------------------------------------------------------------------------- the framework as data
@pytest.mark.django_db
class TestFramework:
    def test_migration_loads_the_ten_sets_with_phases(self):
        fw = Framework.objects.get(code="la-quality-standards", version=2009)
        assert fw.is_active and fw.publication_ref == "00756-2009BKT-EN"
        sets = {s.code: s for s in StandardSet.objects.filter(framework=fw)}
        assert sorted(sets) == ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.4", "2.5"]
        for code in ("1.4", "2.2", "2.3"):  # Appendix 2: "(primary and secondary only)"
            assert sets[code].phases == ["PRI", "SEC"]
        assert sets["2.4"].phases == ["EY", "PRI", "SEC"]
        assert [kr.title for kr in fw.key_ratings.order_by("number")] == [
            "Impact of the LA on raising standards and improving progress",
            "Risk management and intervention in schools and settings",
        ]

    def test_descriptors_keep_the_document_wording_and_critical_flags(self):
        d = Descriptor.objects.get(standard_set__code="1.4", column="NI", is_critical=True)
        assert d.text == "The LA does not use the SIP/NCA as the key brokering agent for support to schools."
        seven = Descriptor.objects.get(standard_set__code="2.4", code="2.4-G4")
        assert seven.is_critical and seven.text == "These show the following seven features:"
        assert [i.text for i in seven.items.order_by("order")][:2] == [
            "timeliness",
            "accuracy and supported by evidence",
        ]
        assert seven.items.count() == 7
        qualities = Descriptor.objects.get(standard_set__code="2.5", code="2.5-G2").items.order_by("order")
        assert [q.text.rstrip(".") for q in qualities] == ["timely", "accurate", "useful", "accessible", "uncluttered"]
        assert all(q.is_critical for q in qualities)
        # 1.5 has no "all criteria for good" statement: the exception the document makes.
        assert not Descriptor.objects.filter(standard_set__code="1.5", rule="all_good").exists()
        assert Descriptor.objects.filter(rule="all_good").count() == 9

    def test_loading_again_changes_nothing(self):
        before = Descriptor.objects.count()
        results = framework_loader.load_all()
        assert [created for _fw, created in results] == [False]
        assert Descriptor.objects.count() == before

    def test_a_newer_version_loads_without_code_changes(self, tmp_path, round_):
        data = json.loads(FIXTURE.read_text())
        newer = copy.deepcopy(data)
        newer["framework"]["version"] = 2026
        newer["key_ratings"][0]["sets"][0]["short_title"] = "Delivery of school improvement programmes (revised)"
        (tmp_path / "quality_standards_2026.json").write_text(json.dumps(newer))
        framework_loader.load_all(tmp_path)
        old = Framework.objects.get(version=2009)
        new = Framework.objects.get(version=2026)
        assert new.is_active and not old.is_active
        assert new.sets.get(code="1.1").short_title.endswith("(revised)")
        # The round already started keeps the framework it was judged against.
        round_.refresh_from_db()
        assert round_.framework == old

    def test_a_broken_fixture_is_refused_and_writes_nothing(self, tmp_path):
        data = json.loads(FIXTURE.read_text())
        data["framework"]["version"] = 2030
        data["key_ratings"][0]["sets"][4]["descriptors"]["G"][1]["params"]["metric"] = "nonsense"
        path = tmp_path / "quality_standards_2030.json"
        path.write_text(json.dumps(data))
        with pytest.raises(framework_loader.FrameworkError, match="unknown metric"):
            framework_loader.load_file(path)
        assert not Framework.objects.filter(version=2030).exists()


# --------------------------------------------------------------------------- rounds
@pytest.mark.django_db
def test_a_round_has_one_cell_per_set_and_phase_with_na_where_the_set_does_not_apply(round_):
    # 10 sets × 3 phases = 30 cells; 1.4, 2.2 and 2.3 are N/A for Early Years.
    assert round_.judgements.count() == 30
    assert sorted(round_.judgements.filter(not_applicable=True).values_list("standard_set__code", "phase")) == [
        ("1.4", "EY"),
        ("2.2", "EY"),
        ("2.3", "EY"),
    ]
    # 2 key ratings × (3 phase-overall rows + the Overall row) = 8 overall cells.
    assert round_.overall_ratings.count() == 8


# --------------------------------------------------------------------------- the rule engine
@pytest.mark.django_db
class TestCountedChecklists:
    def test_2_4_three_features_missing_forces_requires_significant_improvement(self, round_):
        j = cell(round_, "2.4", "PRI")
        features = list(Descriptor.objects.get(standard_set=j.standard_set, code="2.4-G4").items.order_by("order"))
        # Every Good statement met, but only 4 of the 7 features of SIP reports: 3 missing.
        ticked = [d for d in descriptors(j, "G") if d.rule == "statement"] + features[:4]
        a = assess(j, ticked)
        assert a.best_allowed == "SI"
        assert any(
            "three or more of the seven features for good reports are missing" in r for r in a.reasons_against("NI")
        )
        assert any("3 of the 7" in r for r in a.reasons_against("G"))
        assert a.allows("SI") and not a.allows("NI") and not a.allows("G")

    def test_2_4_one_or_two_features_missing_caps_at_some_improvement(self, round_):
        j = cell(round_, "2.4", "PRI")
        features = list(Descriptor.objects.get(standard_set=j.standard_set, code="2.4-G4").items.order_by("order"))
        statements = [d for d in descriptors(j, "G") if d.rule == "statement"]
        assert assess(j, statements + features[:5]).best_allowed == "NI"  # 2 missing
        assert assess(j, statements + features[:6]).best_allowed == "NI"  # 1 missing
        assert assess(j, statements + features).best_allowed == "OS"  # all 7: the Good column is complete

    def test_2_5_qualities_of_data(self, round_):
        j = cell(round_, "2.5", "SEC")
        qualities = list(Descriptor.objects.get(standard_set=j.standard_set, code="2.5-G2").items.order_by("order"))
        statements = [d for d in descriptors(j, "G") if d.rule == "statement"]
        # Each quality is critical for Good, so one missing already rules Good out.
        a = assess(j, statements + qualities[:4])
        assert a.best_allowed == "NI"
        assert any("“uncluttered” is not met" in r for r in a.reasons_against("G"))
        assert assess(j, statements + qualities[:3]).best_allowed == "NI"  # "Two of the critical criteria … missing"
        a = assess(j, statements + qualities[:2])  # three missing
        assert a.best_allowed == "SI"
        assert any(
            "Three of the critical criteria for good provision are missing" in r for r in a.reasons_against("NI")
        )

    def test_2_3_four_criteria_for_good(self, round_):
        j = cell(round_, "2.3", "SEC")
        four = list(Descriptor.objects.get(standard_set=j.standard_set, code="2.3-G4").items.order_by("order"))
        others = [d for d in descriptors(j, "G") if d.rule == "statement"]
        assert assess(j, others + four).best_allowed == "G"  # OS needs its own critical criterion too
        assert assess(j, others + four[:2]).best_allowed == "NI"  # secures two of the four
        a = assess(j, others + four[:1])  # secures one
        assert a.best_allowed == "SI"
        assert any("secures one or none of the four criteria" in r for r in a.reasons_against("NI"))


@pytest.mark.django_db
class TestCriticalCriteria:
    def test_1_4_not_using_the_sip_as_brokering_agent_caps_at_some_improvement(self, round_):
        j = cell(round_, "1.4", "PRI")
        weakness = find(j, "The LA does not use the SIP/NCA as the key brokering agent")
        a = assess(j, descriptors(j, "G") + descriptors(j, "OS") + [weakness])
        assert a.best_allowed == "NI"
        [reason] = a.reasons_against("G")
        assert "does not use the SIP/NCA as the key brokering agent" in reason
        assert "no better than Requires some improvement" in reason
        assert a.allows("NI")

    def test_a_critical_good_criterion_is_a_minimum(self, round_):
        j = cell(round_, "1.4", "SEC")
        key_role = find(j, "LA systems encourage schools")
        others = [d for d in descriptors(j, "G") if d != key_role]
        a = assess(j, others)
        assert a.best_allowed == "NI"
        assert any("minimum requirements" in r for r in a.reasons_against("G"))

    def test_a_critical_criterion_in_the_lowest_column_forces_significant_improvement(self, round_):
        j = cell(round_, "2.1", "EY")
        weakness = find(j, "The LA EY/SI service does not employ the expected range")
        assert assess(j, descriptors(j, "G") + [weakness]).best_allowed == "SI"

    def test_2_2_headship_quota_applies_to_secondary_only(self, round_):
        primary, secondary = cell(round_, "2.2", "PRI"), cell(round_, "2.2", "SEC")
        quota = find(secondary, "The 75% quota for secondary schools")
        assert quota not in descriptors(primary, "G")
        assert assess(primary, descriptors(primary, "G")).allows("G")
        without_quota = [d for d in descriptors(secondary, "G") if d != quota]
        assert assess(secondary, without_quota).best_allowed == "NI"
        assert assess(secondary, without_quota + [quota]).allows("G")


@pytest.mark.django_db
class TestOutstandingAndImpact:
    def test_outstanding_needs_all_good_criteria(self, round_):
        j = cell(round_, "1.3", "PRI")
        by_phase = find(j, "CPD is appropriately differentiated by phase.")
        ticked = descriptors(j, "OS") + [d for d in descriptors(j, "G") if d != by_phase]
        a = assess(j, ticked)
        assert a.best_allowed == "G"
        [reason] = a.reasons_against("OS")
        assert "All elements of good practice" in reason and "1 of the 4 Good criteria are not met" in reason
        assert "CPD is appropriately differentiated by phase" in reason
        assert assess(j, ticked + [by_phase]).allows("OS")

    def test_good_without_evidence_of_impact_is_refused(self, round_, demo):
        j = cell(round_, "1.1", "PRI")
        good = descriptors(j, "G")
        assert assess(j, good, strength=None).best_allowed == "NI"  # no evidence at all
        process = assess(j, good, strength="")  # process evidence only
        assert process.best_allowed == "NI"
        assert any("evidence of impact upon outcomes" in r for r in process.reasons_against("G"))
        with pytest.raises(services.RuleRefusal) as refused:
            services.record_judgement(judgement=j, user=demo.users["officer"], la_grade="G", ticked=good)
        assert any("evidence of impact" in r for r in refused.value.reasons)
        j.refresh_from_db()
        assert j.la_grade == "" and j.ticked.count() == 0  # nothing saved
        # Linking evidence that shows impact allows Good; Outstanding still needs substantial evidence.
        evidence(demo.la, "evidence").judgements.add(j)
        services.record_judgement(judgement=j, user=demo.users["officer"], la_grade="G", ticked=good)
        # The judgement's history keeps the descriptors ticked with the grade, not only the grade.
        assert {row.descriptor_id for row in j.history.first().ticked.all()} == {d.pk for d in good}
        with pytest.raises(services.RuleRefusal, match="substantial evidence"):
            services.record_judgement(
                judgement=j, user=demo.users["officer"], la_grade="OS", ticked=good + descriptors(j, "OS")
            )

    def test_unlinking_the_evidence_a_good_grade_needs_is_refused(self, round_, demo):
        j = cell(round_, "1.1", "PRI")
        item = evidence(demo.la, "evidence")
        item.judgements.add(j)
        services.record_judgement(judgement=j, user=demo.users["officer"], la_grade="G", ticked=descriptors(j, "G"))
        with pytest.raises(services.RuleRefusal, match="without the evidence it needs"):
            services.unlink_evidence(item=item, judgement=j, user=demo.users["officer"])
        assert j.evidence.filter(pk=item.pk).exists()


@pytest.mark.django_db
class TestBands:
    @pytest.mark.parametrize(
        "percent,best",
        [
            (97, "OS"),
            (95, "OS"),  # "At least 95%"
            (94.9, "G"),
            (80, "G"),  # "Between 80% and 95%" (80% exactly counts as Good)
            (79.9, "NI"),
            (50, "NI"),  # "Between 50% and 80%"
            (49.9, "SI"),
            (0, "SI"),  # "Less than 50%"
        ],
    )
    def test_1_5_percentage_of_schools_setting_targets_in_line_with_guidance(self, round_, percent, best):
        j = cell(round_, "1.5", "PRI")
        a = assess(j, descriptors(j, "OS") + descriptors(j, "G"), metrics={"targets_in_line_pct": percent})
        assert a.best_allowed == best

    def test_1_5_unrecorded_percentage_cannot_support_good(self, round_):
        j = cell(round_, "1.5", "SEC")
        a = assess(j, descriptors(j, "G"))
        assert a.best_allowed == "NI"
        assert any("has not been recorded" in r for r in a.reasons_against("G"))

    def test_1_5_early_years_targets(self, round_):
        j = cell(round_, "1.5", "EY")
        ticked = descriptors(j, "OS") + descriptors(j, "G")
        # The school percentage is not an Early Years criterion.
        assert "targets_in_line_pct" not in {
            d.params.get("metric") for d in j.standard_set.descriptors.all() if d.applies_to("EY") and d.rule == "band"
        }
        assert assess(j, ticked, metrics={"ey_targets": "exceed_both"}).best_allowed == "OS"
        assert assess(j, ticked, metrics={"ey_targets": "meet_both"}).best_allowed == "G"
        a = assess(j, ticked, metrics={"ey_targets": "meet_one"})
        assert a.best_allowed == "NI"
        assert any("meet one of the national EY targets" in r for r in a.reasons_against("G"))
        assert assess(j, ticked, metrics={"ey_targets": "meet_neither"}).best_allowed == "SI"


# --------------------------------------------------------------------------- overrides
@pytest.mark.django_db
class TestOverride:
    def test_an_officer_cannot_override_the_rules(self, round_, demo):
        j = cell(round_, "1.1", "SEC")
        with pytest.raises(services.RuleRefusal) as refused:
            services.record_judgement(
                judgement=j, user=demo.users["officer"], la_grade="G", override_reason="We are sure it is good."
            )
        assert not refused.value.can_override
        assert any("Only the round's reviewer" in r for r in refused.value.reasons)

    def test_a_reviewer_override_is_recorded_with_the_rules_set_aside(self, round_, demo):
        j = cell(round_, "1.1", "SEC")
        admin = demo.users["admin"]
        with pytest.raises(services.RuleRefusal) as refused:
            services.record_judgement(judgement=j, user=admin, reviewer_grade="G")
        assert refused.value.can_override
        services.record_judgement(
            judgement=j,
            user=admin,
            reviewer_grade="G",
            override_reason="Impact shown in the 2025 results, evidence to be filed.",
        )
        j.refresh_from_db()
        assert j.reviewer_grade == "G" and j.overridden_by == admin and j.overridden_at is not None
        assert j.override_reason == "Impact shown in the 2025 results, evidence to be filed."
        assert "Reviewer grade Good" in j.overridden_rules and "evidence of impact" in j.overridden_rules
        latest = j.history.first()
        assert latest.history_change_reason.startswith("Override by admin")
        assert latest.reviewer_grade == "G"

    def test_only_a_reviewer_gives_the_reviewer_grade(self, round_, demo):
        j = cell(round_, "1.1", "SEC")
        with pytest.raises(PermissionDenied):
            services.record_judgement(judgement=j, user=demo.users["officer"], reviewer_grade="NI")

    def test_na_cells_take_no_grade(self, round_, demo):
        j = cell(round_, "1.4", "EY")
        with pytest.raises(Exception, match="N/A"):
            services.record_judgement(judgement=j, user=demo.users["admin"], la_grade="NI")


# --------------------------------------------------------------------------- overall suggestion
ANY_BOROUGH = {  # DCSF quality standards (2009), "Local authority: Any Borough"
    "EY": {"RAG1": ["G", "G", "OS", "N/A", "NI"], "RAG2": ["G", "N/A", "N/A", "G", "SI"]},
    "PRI": {"RAG1": ["NI", "NI", "G", "G", "G"], "RAG2": ["NI", "G", "G", "G", "G"]},
    "SEC": {"RAG1": ["G", "G", "OS", "G", "G"], "RAG2": ["NI", "G", "NI", "G", "G"]},
}
ANY_BOROUGH_OVERALL = {
    ("EY", "RAG1"): "G",
    ("EY", "RAG2"): "NI",
    ("PRI", "RAG1"): "NI",
    ("PRI", "RAG2"): "G",
    ("SEC", "RAG1"): "G",
    ("SEC", "RAG2"): "NI",
    ("ALL", "RAG1"): "G",
    ("ALL", "RAG2"): "NI",
}


def test_the_suggested_overall_reproduces_the_any_borough_example():
    for phase, ratings in ANY_BOROUGH.items():
        for rag, grades in ratings.items():
            suggested, reason = rules.suggest_overall(grades)
            assert suggested == ANY_BOROUGH_OVERALL[(phase, rag)], (phase, rag, reason)
    for rag in ("RAG1", "RAG2"):
        everything = [g for phase in ANY_BOROUGH.values() for g in phase[rag]]
        assert rules.suggest_overall(everything)[0] == ANY_BOROUGH_OVERALL[("ALL", rag)]
    # Early Years RAG 1: G, G, OS, NI → 3 of 4 (75%) Good or better → Good (N/A left out).
    assert rules.suggest_overall(["G", "G", "OS", "N/A", "NI"]) == (
        "G",
        "3 of 4 (75%) applicable sub-ratings are Good or better (at least three quarters).",
    )
    # RAG 2 overall: 9 of 13 applicable (69%) are Good or better → not Good.
    assert "9 of 13 (69%)" in rules.suggest_overall([g for p in ANY_BOROUGH.values() for g in p["RAG2"]])[1]
    assert rules.suggest_overall(["N/A", ""]) == (None, "No sub-ratings are graded yet.")
    assert rules.suggest_overall(["SI", "SI", "G"])[0] == "SI"  # more than half
    assert rules.suggest_overall(["OS", "OS", "OS", "G"])[0] == "OS"


@pytest.mark.django_db
def test_rounds_of_an_la_are_unique_by_label(round_, demo):
    with pytest.raises(Exception, match="already has a round"):
        services.start_round(la=demo.la, label="2025/26 autumn", as_of=date(2025, 10, 1), user=demo.users["officer"])
    assert Round.objects.filter(la=demo.la).count() == 1
