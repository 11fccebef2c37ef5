"""Confirmed imports run in the background: queued by Confirm, run by the database backend's worker, with their
state and progress on the import page; a failed one writes nothing and says why; the progress feed answers
the uploader only. Figures are worked out by hand in comments."""

import json

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks.backends.database.models import DBTaskResult

from schools import aggregate_checks
from schools.imports import progress
from schools.imports.committing import import_file
from schools.imports.staging import STALE_MESSAGE
from schools.models import ImportBatch, JudgementSet, LocalAuthority, Measure, PooledFigure, Profile, Result, School
from tests.task_support import run_next_task

pytestmark = pytest.mark.django_db

HEADER = "urn,results_year,measure,pupil_group,cohort,achievers,points,value\n"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks.backends.database.DatabaseBackend"}}


@pytest.fixture
def uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def queue(settings):
    """The production task backend: Confirm only queues; the test runs the worker."""
    settings.TASKS = DATABASE_TASKS


def run_worker() -> DBTaskResult:
    """What ``db_worker`` does with the next task."""
    return run_next_task()


def two_schools(demo):
    """Two schools' 2030 figures (a year the demo has none of): 9 of 18 and 6 of 12 disadvantaged pupils."""
    a, b = demo.schools[0], demo.schools[1]
    text = HEADER + (
        f"{a.urn},2030,ks2_rwm_exp,disadvantaged,18,9,,\n"  # 9 / 18 = 50 %
        f"{b.urn},2030,ks2_rwm_exp,disadvantaged,12,6,,\n"  # 6 / 12 = 50 %
    )
    return a, b, text


def preview(client, text, name="results.csv") -> ImportBatch:
    upload = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    client.post(reverse("schools:imports"), {"file": upload, "format": "auto"})
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.problems
    return batch


def confirm(client, batch):
    return client.post(
        reverse("schools:import_confirm", args=[batch.pk]), {"fingerprint": batch.summary["fingerprint"]}
    )


def status(client, batch):
    return json.loads(client.get(reverse("schools:import_status", args=[batch.pk])).content)


def test_a_confirmed_import_is_queued_then_the_worker_imports_it(
    role_client, demo, uploads, queue, monkeypatch, django_capture_on_commit_callbacks
):
    client = role_client("data")
    a, b, text = two_schools(demo)
    batch = preview(client, text)
    before = Result.objects.count()

    response = confirm(client, batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.QUEUED and Result.objects.count() == before
    page = client.get(response["Location"]).content.decode()
    assert "is queued and runs in the background" in page  # the message after Confirm
    assert '<progress max="100" value="0"' in page and "Waiting for the import worker to start" in page
    assert f'data-status-url="/imports/{batch.pk}/status.json"' in page
    assert "Confirm and import" not in page  # a queued import cannot be confirmed twice
    listing = client.get(reverse("schools:imports")).content.decode()
    assert "Queued (in the background" in listing
    assert status(client, batch) == {
        "id": batch.pk,
        "status": "Queued",
        "state": "queued",
        "percent": 0,
        "stage": "Waiting for the import worker to start",
        "finished": False,
    }
    # A second Confirm (another tab) changes nothing: one task only.
    confirm(client, batch)
    assert DBTaskResult.objects.count() == 1

    # While the worker runs, the page shows each stage it reaches (read in the import's own thread).
    seen = {}
    report = progress.report

    def report_and_look(batch_id, stage):
        report(batch_id, stage)
        html = client.get(reverse("schools:import_batch", args=[batch_id])).content.decode()
        seen[stage] = (f'value="{progress.STAGES[stage][0]}"' in html, progress.STAGES[stage][1] in html)
        seen[stage + " feed"] = status(client, batch)["percent"]

    monkeypatch.setattr(progress, "report", report_and_look)
    with django_capture_on_commit_callbacks(execute=True):  # the import commits as in the worker's process
        task = run_worker()

    assert task.status == TaskResultStatus.SUCCEEDED and task.return_value == "imported"
    assert seen == {
        "checking": (True, True),
        "checking feed": 2,
        "comparing": (True, True),
        "comparing feed": 25,
        "writing": (True, True),
        "writing feed": 33,
        "pooling": (True, True),
        "pooling feed": 62,
    }
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, batch.notes) == (ImportBatch.Status.COMMITTED, 2, "")
    assert Result.objects.count() == before + 2
    assert Result.objects.get(school=a, results_year=2030, pupil_group__code="disadvantaged").value == 50
    # The LA's pooled figure, refreshed in the import's transaction: (9 + 6) / (18 + 12) = 15 / 30.
    la = PooledFigure.objects.get(
        level="la", org_id=a.la_id, results_year=2030, measure__code="ks2_rwm_exp", pupil_group__code="disadvantaged"
    )
    assert (la.total_cohort, la.numerator, la.rows) == (30, 15.0, 2)
    # After the commit the worker judged what the LA's landing pages read first: every headline measure for
    # disadvantaged pupils, each school's latest year, for viewers who do and do not see small cohorts.
    kept = JudgementSet.objects.filter(la_id=a.la_id, pupil_group__code="disadvantaged", asked_year=0)
    headline = set(Measure.objects.filter(headline=True).values_list("pk", flat=True))
    assert {(s.measure_id, s.sees_small) for s in kept} == {(m, seen) for m in headline for seen in (True, False)}
    assert aggregate_checks.differences()[0] == 0
    assert status(client, batch)["state"] == "done" and status(client, batch)["percent"] == 100
    page = client.get(reverse("schools:import_batch", args=[batch.pk])).content.decode()
    assert "<progress" not in page and f"Roll back import #{batch.pk}" in page
    assert not list((uploads / "imports").iterdir())  # the kept upload and its progress file are gone


def test_a_failed_background_import_writes_nothing_and_names_the_row_and_column(role_client, demo, uploads, queue):
    """The school is removed between preview and confirm: the worker's second check finds the URN unknown."""
    client = role_client("data")
    gone = School.objects.create(urn=990123, la=demo.schools[0].la, name="Closing Primary")
    a, _b, text = two_schools(demo)
    batch = preview(client, text + f"{gone.urn},2030,ks2_rwm_exp,disadvantaged,10,5,,\n")
    gone.delete()
    results, pooled = Result.objects.count(), PooledFigure.objects.count()

    confirm(client, batch)
    task = run_worker()

    assert task.status == TaskResultStatus.SUCCEEDED  # the task ran; the import was refused
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.notes == "The file now has 1 error(s): nothing was imported."
    assert (Result.objects.count(), PooledFigure.objects.count()) == (results, pooled)
    assert not Result.objects.filter(results_year=2030).exists()
    assert [(p["row"], p["column"]) for p in batch.problems if p["level"] == "error"] == [(4, "urn")]
    page = client.get(reverse("schools:import_batch", args=[batch.pk])).content.decode()
    assert "nothing was written. The file now has 1 error(s)" in page and "Unknown URN" in page
    assert status(client, batch) | {"stage": ""} == {
        "id": batch.pk,
        "status": "Failed",
        "state": "failed",
        "percent": 0,
        "stage": "",
        "finished": True,
    }


def test_an_error_while_writing_rolls_the_whole_import_back(role_client, demo, uploads, queue, monkeypatch):
    """The pooled-figure refresh fails after every result was written: the transaction takes them all back."""
    client = role_client("data")
    _a, _b, text = two_schools(demo)
    batch = preview(client, text)
    results, pooled = Result.objects.count(), PooledFigure.objects.count()

    def broken(self):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("schools.aggregates.Touched.refresh", broken)
    confirm(client, batch)
    task = run_worker()

    assert task.status == TaskResultStatus.FAILED and task.exception_class_path == "builtins.RuntimeError"
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.notes == (
        "The import stopped before it finished and nothing was written (RuntimeError: the disk is full)"
    )
    assert (Result.objects.count(), PooledFigure.objects.count()) == (results, pooled)
    assert not Result.objects.filter(results_year=2030).exists()
    page = client.get(reverse("schools:import_batch", args=[batch.pk])).content.decode()
    assert "nothing was written. The import stopped before it finished" in page


def test_a_preview_made_stale_while_queued_goes_back_to_a_preview(role_client, demo, uploads, queue):
    """Another import changes the same figure after Confirm and before the worker runs: nothing is written and
    the refreshed preview waits for a new Confirm, saying why."""
    client = role_client("data")
    a, _b, text = two_schools(demo)
    batch = preview(client, text)
    confirm(client, batch)
    import_file(data=(HEADER + f"{a.urn},2030,ks2_rwm_exp,disadvantaged,18,12,,\n").encode(), file_name="x.csv")

    run_worker()

    batch.refresh_from_db()
    assert (batch.status, batch.notes) == (ImportBatch.Status.PREVIEWED, STALE_MESSAGE)
    # 12 of 18 stands: the queued file's 9 of 18 was not written; its preview now says it would update it.
    assert Result.objects.get(school=a, results_year=2030, pupil_group__code="disadvantaged").achievers == 12
    assert batch.summary["counts"] == {"created": 1, "updated": 1, "unchanged": 0}
    page = client.get(reverse("schools:import_batch", args=[batch.pk])).content.decode()
    assert "preview again" in page and "Confirm and import" in page and "<progress" not in page


def test_with_tasks_run_at_once_confirm_reports_the_import_as_before(role_client, demo, uploads):
    """The test settings' backend runs the task inside the request: the page says what was imported."""
    client = role_client("data")
    _a, _b, text = two_schools(demo)
    batch = preview(client, text)
    response = confirm(client, batch)
    assert "Imported: 2 created, 0 updated, 0 unchanged." in client.get(response["Location"]).content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED


def test_only_the_uploader_reads_a_batch_s_progress(role_client, demo, uploads, queue, client):
    owner = role_client("data")
    _a, _b, text = two_schools(demo)
    batch = preview(owner, text)
    confirm(owner, batch)
    url = reverse("schools:import_status", args=[batch.pk])
    assert owner.get(url).status_code == 200
    for role in ("admin", "officer", "adviser", "head"):
        assert role_client(role).get(url).status_code == 404, role
    assert client.get(url).status_code == 302  # anonymous: sign in first
    # Another LA's data manager may open imports, never this one's progress.
    colleague = User.objects.create_user("data2", password="unused-password-2")
    colleague.groups.set(demo.users["data"].groups.all())
    Profile.objects.create(user=colleague, la=LocalAuthority.objects.create(code="991", name="Othershire"))
    second = Client()
    second.force_login(colleague)
    assert second.get(url).status_code == 404
    # The page itself is shown to every importer, with the feed for the uploader only.
    page = role_client("admin").get(reverse("schools:import_batch", args=[batch.pk])).content.decode()
    assert "<progress" in page and "data-status-url" not in page
