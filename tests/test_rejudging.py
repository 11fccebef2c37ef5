"""What a write makes stale is judged again once it commits (``schools.rejudging``), so the user's first request
after a write reads kept judgements: a command-line import judges at once (no task queued), a web admin edit
queues the judging for the worker (the request does not judge), and a write rolled back queues nothing."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks.backends.database.models import DBTaskResult

from schools import aggregate_checks, rejudging
from schools.models import JudgementSet, Measure, Result
from tests.task_support import run_next_task

pytestmark = pytest.mark.django_db

HEADER = "urn,results_year,measure,pupil_group,cohort,achievers,points,value\n"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks.backends.database.DatabaseBackend"}}
# The priority list as the landing pages read it (the default measure and group), and a list someone asked for
# (reading, for other pupils than the default group): both judged again after the write.
PAGES = [reverse("schools:priority"), reverse("schools:priority") + "?measure=ks2_read_avg&group=boys"]


@pytest.fixture
def queue(settings):
    """The production task backend: a web write only queues; the test runs the worker."""
    settings.TASKS = DATABASE_TASKS


def _queries(client, url) -> tuple[int, set[int]]:
    """The request's query count, and the kept sets after it."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries), set(JudgementSet.objects.values_list("pk", flat=True))


def test_the_first_request_after_a_command_line_import_reads_kept_judgements(
    role_client, demo, queue, tmp_path, django_capture_on_commit_callbacks
):
    client = role_client("officer")
    for url in PAGES:  # each list asked for once: its set is kept
        client.get(url)
    school = demo.schools[0]
    path = tmp_path / "results.csv"
    path.write_text(
        HEADER + f"{school.urn},2025,ks2_rwm_exp,disadvantaged,18,3,,\n{school.urn},2025,ks2_read_avg,boys,9,,900,\n"
    )
    with django_capture_on_commit_callbacks(execute=True) as committed:
        call_command("import_results", str(path), stdout=io.StringIO())
    assert committed  # the import committed, and its callback judged at once: nothing was queued
    assert not DBTaskResult.objects.exists()
    assert JudgementSet.objects.filter(measure__code="ks2_read_avg", pupil_group__code="boys").exists()
    for url in PAGES:
        kept = set(JudgementSet.objects.values_list("pk", flat=True))
        first, after_first = _queries(client, url)
        warm, after_warm = _queries(client, url)
        assert first == warm, url  # no judging in the first request
        assert after_first == after_warm == kept, url  # nor any set written by it
    assert aggregate_checks.differences() == (0, [])


def test_an_admin_edit_queues_the_judging_and_the_worker_keeps_it(
    role_client, demo, queue, admin_client, django_capture_on_commit_callbacks
):
    client = role_client("officer")
    client.get(PAGES[0])
    result = Result.objects.filter(
        school__la=demo.la, measure__code="ks2_rwm_exp", pupil_group__code="disadvantaged", cohort__gt=5
    ).first()
    url = reverse("admin:schools_result_change", args=[result.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}
    data["cohort"] = result.cohort + 1
    with django_capture_on_commit_callbacks(execute=True):
        with CaptureQueriesContext(connection) as edit:
            response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not any("schooljudgement" in q["sql"].lower() and "insert" in q["sql"].lower() for q in edit)
    # The request only queued the judging; the LA's sets are gone until the worker runs it.
    assert DBTaskResult.objects.count() == 1
    assert not JudgementSet.objects.filter(la=demo.la).exists()
    task = run_next_task()
    assert task.return_value > 0
    headline = Measure.objects.filter(headline=True).count()
    assert (
        JudgementSet.objects.filter(la=demo.la, asked_year=0, pupil_group__code="disadvantaged").count() == 2 * headline
    )
    assert aggregate_checks.differences() == (0, [])
    kept = set(JudgementSet.objects.values_list("pk", flat=True))
    first, after = _queries(client, PAGES[0])
    assert after == kept and first == _queries(client, PAGES[0])[0]


def test_a_write_rolled_back_queues_nothing(demo, queue, django_capture_on_commit_callbacks):
    result = Result.objects.filter(school__la=demo.la, cohort__gt=5).first()
    with django_capture_on_commit_callbacks(execute=True) as committed:
        with transaction.atomic():
            result.cohort += 1
            result.save()
            transaction.set_rollback(True)
    assert not committed and not DBTaskResult.objects.exists()


def test_inline_judging_that_fails_leaves_the_write_and_the_first_read_judges(
    demo, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**_kwargs):
        raise RuntimeError("no judging today")

    monkeypatch.setattr(rejudging, "rejudge", broken)
    result = Result.objects.filter(school__la=demo.la, cohort__gt=5).first()
    with django_capture_on_commit_callbacks(execute=True), rejudging.inline():
        result.cohort += 1
        result.save()
    assert Result.objects.get(pk=result.pk).cohort == result.cohort
    assert not JudgementSet.objects.filter(la=demo.la).exists()
