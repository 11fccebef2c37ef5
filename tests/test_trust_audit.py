"""Trust: every audited model records who changed what, through the real pages (so the request's user is
recorded by HistoryRequestMiddleware); LA officers see an object's history on its page; imports are linked
from the site-wide log."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from simple_history.models import registered_models

from gapmonitor.audit import history_of
from ragboard.models import EvidenceItem, Judgement
from schools.models import ImportBatch, ImportChange, Measure, Result
from strategy.models import Action, ActionUpdate, Plan, Target, VisitReport
from tests.trust_support import client_for, demo_for_module, form_data


@pytest.fixture(scope="module")
def users(django_db_setup, django_db_blocker):
    with demo_for_module(django_db_blocker) as users:
        yield users


def latest(obj):
    return obj.history.select_related("history_user").order_by("-history_date", "-history_id").first()


def changed_fields(obj) -> dict:
    """{field: (old, new)} of the object's latest change, as the history page shows it."""
    return {field: (old, new) for field, old, new in history_of(obj, limit=1)[0].changes}


def head_plan(users):
    return Plan.objects.get(school=users["head"].profile.school)


# --------------------------------------------------------------------------- every audited model is tracked
AUDITED = [
    "schools.Result",
    "schools.School",
    "strategy.Plan",
    "strategy.Action",
    "strategy.ActionUpdate",
    "strategy.Target",
    "strategy.Milestone",
    "strategy.VisitReport",
    "strategy.VisitJudgement",
    "strategy.VisitQualityAssurance",
    "strategy.SuccessStory",
    "strategy.SupportEngagement",
    "ragboard.Judgement",
    "ragboard.OverallRating",
    "ragboard.EvidenceItem",
    "ragboard.Workstream",
    "ragboard.StrategicTarget",
    "ragboard.Round",
    "auth.User",
]


@pytest.mark.parametrize("label", AUDITED)
def test_model_has_history(label):
    from django.apps import apps

    model = apps.get_model(label)
    assert any(m is model for m in registered_models.values()), label
    assert hasattr(model, "history"), label


def test_user_history_never_copies_password():
    fields = {f.name for f in User.history.model._meta.get_fields()}
    assert "password" not in fields and "username" in fields


# --------------------------------------------------------------------------- a change through each page
@pytest.mark.django_db
class TestChangesRecordWhoAndWhat:
    def test_plan(self, users):
        plan = head_plan(users)
        client = client_for(users["head"])
        url = reverse("strategy:plan_edit", args=[plan.pk])
        old = plan.title
        response = client.post(url, form_data(client.get(url).context["form"], title="Head's renamed plan"))
        assert response.status_code == 302
        record = latest(plan)
        assert (record.history_type, record.history_user) == ("~", users["head"])
        assert changed_fields(plan)["title"] == (old, "Head's renamed plan")

    def test_action(self, users):
        action = Action.objects.filter(plan=head_plan(users)).order_by("pk").first()
        client = client_for(users["officer"])
        url = reverse("strategy:action_edit", args=[action.pk])
        response = client.post(url, form_data(client.get(url).context["form"], key_action="Reading catch-up"))
        assert response.status_code == 302
        assert latest(action).history_user == users["officer"]
        assert changed_fields(action)["key_action"][1] == "Reading catch-up"

    def test_action_update(self, users):
        action = Action.objects.filter(plan=head_plan(users)).order_by("pk").first()
        before = set(ActionUpdate.objects.values_list("pk", flat=True))
        response = client_for(users["head"]).post(
            reverse("strategy:action_update", args=[action.pk]),
            {"rag": "amber", "note": "Half the groups started.", "date": "2025-11-01"},
        )
        assert response.status_code == 302
        update = ActionUpdate.objects.exclude(pk__in=before).get()
        record = latest(update)
        assert (record.history_type, record.history_user, record.note) == (
            "+",
            users["head"],
            "Half the groups started.",
        )

    def test_target(self, users):
        target = Target.objects.filter(plan=head_plan(users)).order_by("pk").first()
        client = client_for(users["officer"])
        url = reverse("strategy:target_edit", args=[target.pk])
        old = target.title
        response = client.post(url, form_data(client.get(url).context["form"], title="Close the KS2 gap"))
        assert response.status_code == 302, response.context["form"].errors if response.context else ""
        assert latest(target).history_user == users["officer"]
        assert changed_fields(target)["title"] == (old, "Close the KS2 gap")

    def test_visit_report(self, users):
        report = VisitReport.objects.filter(school=users["head"].profile.school).order_by("pk").first()
        VisitReport.objects.filter(pk=report.pk).update(acknowledged_at=None, acknowledged_by=None)
        response = client_for(users["head"]).post(
            reverse("strategy:visit_acknowledge", args=[report.pk]), {"comment": "Agreed with the next steps."}
        )
        assert response.status_code == 302
        report.refresh_from_db()
        record = latest(report)
        assert record.history_user == users["head"] and record.acknowledged_by_id == users["head"].pk
        assert "acknowledged_by" in changed_fields(report)

    def test_judgement(self, users):
        judgement = Judgement.objects.filter(not_applicable=False).order_by("pk").first()
        client = client_for(users["officer"])
        url = reverse("ragboard:judgement", args=[judgement.pk])
        form = client.get(url).context["form"]
        response = client.post(url, form_data(form, rationale="Evidence reviewed at the March board."))
        assert response.status_code == 302, response.content.decode()[:2000]
        assert latest(judgement).history_user == users["officer"]
        assert changed_fields(judgement)["rationale"][1] == "Evidence reviewed at the March board."

    def test_evidence(self, users):
        client = client_for(users["officer"])
        response = client.post(
            reverse("ragboard:evidence_new"),
            {
                "kind": EvidenceItem.Kind.DATA,
                "title": "Audit trail evidence",
                "date": "2025-03-01",
                "summary": "Minutes.",
                "link": "https://intranet.example.org/minutes",
                "impact_strength": "",
            },
        )
        assert response.status_code == 302
        item = EvidenceItem.objects.get(title="Audit trail evidence")
        record = latest(item)
        assert (record.history_type, record.history_user) == ("+", users["officer"])

    def test_user(self, users):
        target = users["adviser"]
        admin = client_for(users["admin"])
        url = reverse("admin:auth_user_change", args=[target.pk])
        form = admin.get(url).context["adminform"].form
        response = admin.post(url, form_data(form, first_name="Renamed", last_name=target.last_name))
        assert response.status_code == 302, response.context["adminform"].form.errors
        target.refresh_from_db()
        record = latest(target)
        assert (record.history_user, record.first_name) == (users["admin"], "Renamed")
        assert "first_name" in changed_fields(target)

    def test_result_edited_in_admin(self, users):
        result = Result.objects.filter(status="final").order_by("pk").first()
        admin = client_for(users["admin"])
        url = reverse("admin:schools_result_change", args=[result.pk])
        response = admin.post(url, form_data(admin.get(url).context["adminform"].form, status="revised"))
        assert response.status_code == 302, response.context["adminform"].form.errors
        record = latest(result)
        assert (record.history_user, record.status) == (users["admin"], "revised")
        # Imported results are written in bulk (the batch is their audit); the first edit after an import has no
        # earlier history row to compare with, so the next edit shows old → new.
        response = admin.post(url, form_data(admin.get(url).context["adminform"].form, status="final"))
        assert response.status_code == 302
        assert latest(result).history_user == users["admin"]
        assert changed_fields(result)["status"] == ("revised", "final")

    def test_result_changed_by_import_is_a_batch_with_who_and_previous_values(self, users):
        measure = Measure.objects.get(code="ks2_rwm_exp")
        result = (
            Result.objects.filter(measure=measure, cohort__gt=2, achievers__gt=1)
            .select_related("school", "pupil_group")
            .order_by("pk")
            .first()
        )
        new_achievers = result.achievers - 1
        csv = (
            "urn,results_year,measure,pupil_group,cohort,achievers,points,value\n"
            f"{result.school.urn},{result.results_year},ks2_rwm_exp,{result.pupil_group.code},"
            f"{result.cohort},{new_achievers},,\n"
        ).encode()
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = client_for(users["data"])
        response = data.post("/imports/", {"file": SimpleUploadedFile("update.csv", csv), "format": "auto"})
        assert response.status_code == 302
        batch = ImportBatch.objects.order_by("-pk").first()
        assert data.post(reverse("schools:import_confirm", args=[batch.pk])).status_code == 302
        batch.refresh_from_db()
        result.refresh_from_db()
        assert (batch.status, batch.uploaded_by, batch.updated_count) == ("committed", users["data"], 1)
        assert (result.achievers, result.batch_id) == (new_achievers, batch.pk)  # the result points to its batch
        assert ImportChange.objects.filter(
            batch=batch, kind=ImportChange.Kind.RESULT, action=ImportChange.Action.UPDATED
        ).exists()  # previous values kept
        # The site-wide log links the batch's page.
        page = client_for(users["admin"]).get("/audit/").content.decode()
        assert reverse("schools:import_batch", args=[batch.pk]) in page


# --------------------------------------------------------------------------- history on the object's page
@pytest.mark.django_db
class TestHistoryOnPages:
    def pages(self, users):
        plan = head_plan(users)
        return {
            "plan": reverse("strategy:plan", args=[plan.pk]),
            "action": reverse("strategy:action", args=[plan.actions.order_by("pk").first().pk]),
            "target": reverse("strategy:target", args=[Target.objects.filter(plan=plan).order_by("pk").first().pk]),
            "visit": reverse(
                "strategy:visit", args=[VisitReport.objects.filter(school=plan.school).order_by("pk").first().pk]
            ),
            "judgement": reverse(
                "ragboard:judgement", args=[Judgement.objects.filter(not_applicable=False).order_by("pk").first().pk]
            ),
        }

    def test_la_officer_sees_history(self, users):
        officer = client_for(users["officer"])
        for name, url in self.pages(users).items():
            page = officer.get(url).content.decode()
            assert "Changes to this record, newest first" in page, name

    def test_headteacher_does_not(self, users):
        head = client_for(users["head"])
        for name, url in self.pages(users).items():
            if name == "judgement":
                continue  # the self-evaluation is a 404 for heads (see the access walk)
            response = head.get(url)
            assert response.status_code == 200, name
            assert "Changes to this record, newest first" not in response.content.decode(), name
