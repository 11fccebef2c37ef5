"""Running a queued background task in a test as ``manage.py db_worker`` would: claim the next ready task, then
run it with the worker's own run-one-task function (django-tasks' database backend)."""

from django_tasks.backends.database.management.commands.db_worker import Worker
from django_tasks.backends.database.models import DBTaskResult


def run_next_task(worker_id: str = "test-worker") -> DBTaskResult:
    """Claim and run the one ready task; return its result row, refreshed."""
    task = DBTaskResult.objects.ready().get()
    task.claim(worker_id)
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id=worker_id,
    ).run_task(task)
    task.refresh_from_db()
    return task
