"""Two writers at once: overlapping confirms, a double-click on Confirm and a rollback, in threads that each have
their own database connection — on SQLite (a file database with the production options: WAL, IMMEDIATE
transactions, a busy timeout) and on PostgreSQL (``DATABASE_URL=postgres://…``).

What must hold: no 500, no lost update, the second confirm refused as stale (or applied after the first), and
a rollback reverts its own batch only.
"""

import sqlite3
import threading

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from schools.imports.committing import import_file
from schools.imports.problems import AlreadyDone, ImportRejected
from schools.imports.rollback import rollback_batch
from schools.imports.staging import STALE_MESSAGE, confirm_batch, stage_upload
from schools.models import ImportBatch, ImportChange, LocalAuthority, Profile, Result, School
from schools.roles import Role

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HEADER = "urn,results_year,measure,pupil_group,cohort,achievers,points,value\n"
BASE = HEADER + "100001,2024,ks2_rwm_exp,disadvantaged,10,5,,\n100002,2024,ks2_rwm_exp,disadvantaged,20,10,,\n"
# A and B both change the two base figures and both create the same new figure (ks2_rwm_high): they overlap.
FILE_A = HEADER + (
    "100001,2024,ks2_rwm_exp,disadvantaged,10,6,,\n100002,2024,ks2_rwm_exp,disadvantaged,20,12,,\n"
    "100001,2024,ks2_rwm_high,disadvantaged,10,1,,\n"
)
FILE_B = HEADER + (
    "100001,2024,ks2_rwm_exp,disadvantaged,10,7,,\n100002,2024,ks2_rwm_exp,disadvantaged,20,14,,\n"
    "100001,2024,ks2_rwm_high,disadvantaged,10,2,,\n"
)
# C writes another school's figures; it is rolled back while A and B confirm.
FILE_C = HEADER + "100003,2024,ks2_rwm_exp,disadvantaged,30,15,,\n"


@pytest.fixture
def threaded_db(transactional_db, tmp_path):
    """The test database as threads see it. PostgreSQL: as it is. SQLite: the in-memory test database is one
    shared cache, where locks fail at once instead of waiting, unlike the file database the site runs on; so
    the test runs on a file copy (same OPTIONS: WAL, IMMEDIATE, timeout) and puts the memory one back after."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    assert settings.SQLITE_OPTIONS["transaction_mode"] == "IMMEDIATE"
    memory = connection.connection
    path = tmp_path / "threads.sqlite3"
    target = sqlite3.connect(path)
    memory.backup(target)
    target.close()
    original, options = connection.settings_dict["NAME"], connection.settings_dict["OPTIONS"]
    connection.settings_dict["NAME"] = str(path)
    connection.settings_dict["OPTIONS"] = {**options, **settings.SQLITE_OPTIONS}  # as the site runs
    connection.connection = None
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"], connection.settings_dict["OPTIONS"] = original, options
        connection.connection = memory


@pytest.fixture
def data_manager(threaded_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    la = LocalAuthority.objects.create(code="999", name="Testshire")
    for i in range(3):
        School.objects.create(urn=100001 + i, la=la, name=f"School {i + 1}")
    user = User.objects.create_user("dm", password="unused-password-1")
    user.groups.add(Group.objects.get_or_create(name=Role.DATA_MANAGER)[0])
    Profile.objects.create(user=user, la=la)
    return user


def value(urn, measure="ks2_rwm_exp"):
    row = Result.objects.get(
        school__urn=urn, results_year=2024, measure__code=measure, pupil_group__code="disadvantaged"
    )
    return row.achievers, row.batch_id


def stage(text, user):
    return stage_upload(data=text.encode(), file_name="results.csv", format="long", results_year=None, user=user)


def run_together(*calls):
    """Start every call at the same moment, each in its own thread with its own connection; return
    (results, exceptions) in call order."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 — reported by the test
            errors[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer never finished (deadlock?)"
    return results, errors


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_overlapping_confirms_double_click_and_rollback_at_once(data_manager):
    _, base = import_file(data=BASE.encode(), file_name="base.csv", format="long")
    _, c = import_file(data=FILE_C.encode(), file_name="c.csv", format="long")
    a, b = stage(FILE_A, data_manager), stage(FILE_B, data_manager)
    assert a.status == b.status == ImportBatch.Status.PREVIEWED
    clients = [client_for(data_manager) for _ in range(4)]
    # The confirm form sends the preview the user saw.
    seen_a, seen_b = {"fingerprint": a.summary["fingerprint"]}, {"fingerprint": b.summary["fingerprint"]}

    responses, errors = run_together(
        lambda: clients[0].post(reverse("schools:import_confirm", args=[a.pk]), seen_a),
        lambda: clients[1].post(reverse("schools:import_confirm", args=[a.pk]), seen_a),  # the double-click
        lambda: clients[2].post(reverse("schools:import_confirm", args=[b.pk]), seen_b),
        lambda: clients[3].post(reverse("schools:import_rollback", args=[c.pk])),
    )
    assert errors == [None] * 4
    assert [r.status_code for r in responses] == [302] * 4  # no 500

    a.refresh_from_db()
    b.refresh_from_db()
    c.refresh_from_db()
    assert c.status == ImportBatch.Status.ROLLED_BACK
    assert not Result.objects.filter(school__urn=100003).exists()  # C's own figure, gone
    # Exactly one of A and B was applied (once); the other was refused as stale and still awaits a confirm.
    statuses = sorted([a.status, b.status])
    assert statuses == [ImportBatch.Status.COMMITTED, ImportBatch.Status.PREVIEWED]
    first, second = (a, b) if a.status == ImportBatch.Status.COMMITTED else (b, a)
    expected = {a.pk: (6, 12, 1), b.pk: (7, 14, 2)}
    assert (value(100001)[0], value(100002)[0], value(100001, "ks2_rwm_high")[0]) == expected[first.pk]
    assert {value(100001)[1], value(100002)[1]} == {first.pk}
    # What the first replaced was the base import's figures: its rollback would restore them.
    assert set(ImportChange.objects.filter(batch=first).values_list("previous_batch_id", flat=True)) == {base.pk}
    # The refused preview was refreshed: it now shows two figures updated and the new one updated too.
    assert second.summary["counts"] == {"created": 0, "updated": 3, "unchanged": 0}

    # Confirmed again, the second is applied after the first and records the first as what it replaced.
    confirm_batch(batch=second, user=data_manager)
    assert (value(100001)[0], value(100002)[0], value(100001, "ks2_rwm_high")[0]) == expected[second.pk]
    assert set(ImportChange.objects.filter(batch=second).values_list("previous_batch_id", flat=True)) == {first.pk}
    # Rolling back the second reverts its own figures only: the first's are back, nothing else moved.
    with pytest.raises(ImportRejected, match=f"Import #{second.pk} has since changed"):
        rollback_batch(batch=first, user=data_manager)
    rollback_batch(batch=second, user=data_manager)
    assert (value(100001)[0], value(100002)[0], value(100001, "ks2_rwm_high")[0]) == expected[first.pk]
    rollback_batch(batch=first, user=data_manager)
    assert (value(100001), value(100002)) == ((5, base.pk), (10, base.pk))
    assert not Result.objects.filter(measure__code="ks2_rwm_high").exists()


def test_two_command_line_imports_at_once_record_the_right_previous_writer(data_manager):
    """The command line builds its plan while holding the lock: the second import replaces the first's figures
    and says so, whichever runs first."""
    _, base = import_file(data=BASE.encode(), file_name="base.csv", format="long")
    (plan_a, batch_a), (plan_b, batch_b) = run_together(
        lambda: import_file(data=FILE_A.encode(), file_name="a.csv", format="long"),
        lambda: import_file(data=FILE_B.encode(), file_name="b.csv", format="long"),
    )[0]
    first, second = sorted([batch_a, batch_b], key=lambda batch: batch.committed_at)
    assert set(ImportChange.objects.filter(batch=first).values_list("previous_batch_id", flat=True)) == {base.pk}
    assert set(ImportChange.objects.filter(batch=second).values_list("previous_batch_id", flat=True)) == {first.pk}
    rollback_batch(batch=second)
    assert value(100001)[1] == value(100002)[1] == first.pk


def test_stale_preview_is_refused_and_double_confirm_is_a_no_op(data_manager):
    _, base = import_file(data=BASE.encode(), file_name="base.csv", format="long")
    a = stage(FILE_A, data_manager)
    import_file(data=FILE_B.encode(), file_name="b.csv", format="long")  # the data changes after the preview
    with pytest.raises(ImportRejected) as refused:
        confirm_batch(batch=a, user=data_manager)
    assert str(refused.value) == STALE_MESSAGE and "preview again" in STALE_MESSAGE
    assert value(100001)[0] == 7  # B's figure stands: nothing of A was written
    a.refresh_from_db()
    assert a.status == ImportBatch.Status.PREVIEWED
    confirm_batch(batch=a, user=data_manager)
    assert value(100001)[0] == 6
    with pytest.raises(AlreadyDone, match="already confirmed"):
        confirm_batch(batch=a, user=data_manager)
    rollback_batch(batch=a, user=data_manager)
    with pytest.raises(AlreadyDone, match="already rolled back"):
        rollback_batch(batch=a, user=data_manager)
    assert value(100001)[0] == 7
