"""Trust: failures are logged (what and where) without personal data (who)."""

from __future__ import annotations

import io
import logging
import sys

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from gapmonitor.logging_filters import PersonalDataFilter
from schools.models import ImportBatch
from schools.roles import Role

PERSONAL = ("Jane", "Doe", "123456", "A123456789012")


@pytest.fixture
def log_output():
    """What the configured console handler writes (the handler every logger uses)."""
    handler = next(h for h in logging.getLogger("django.request").handlers if isinstance(h, logging.StreamHandler))
    assert any(isinstance(f, PersonalDataFilter) for f in handler.filters)  # configured in settings.LOGGING
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.urls_boom", DEBUG=False)
def test_server_error_logged_without_personal_data(log_output):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/?pupil=Jane+Doe&upn=A123456789012")
    assert response.status_code == 500
    text = log_output.getvalue()
    # What failed and where is kept …
    assert "Internal Server Error: /boom/" in text
    assert "RuntimeError" in text and "in boom" in text and "urls_boom.py" in text
    # … whom it was about is not: neither the exception message nor the query string.
    for secret in PERSONAL:
        assert secret not in text, secret


@pytest.mark.django_db
def test_import_failure_logged_without_personal_data(log_output, monkeypatch):
    """An import that crashes part-way (here: a parser bug quoting a pupil's row) logs the failure, not the row."""
    from schools.imports import views as import_views

    def crash(**kwargs):
        raise ValueError("Row 3: pupil Jane Doe (UPN A123456789012) has no cohort")

    monkeypatch.setattr(import_views, "stage_upload", crash)
    user = User.objects.create_user("dm", password="x-long-password-55")
    user.groups.add(Group.objects.get(name=Role.DATA_MANAGER))
    client = Client(raise_request_exception=False)
    client.force_login(user)
    upload = SimpleUploadedFile(
        "Jane Doe results.csv", b"urn,results_year,measure,pupil_group,cohort\n123456,2024,x,y,1\n"
    )
    response = client.post("/imports/?file=Jane", {"file": upload, "format": "auto"})
    assert response.status_code == 500 and b"Jane" not in response.content
    assert ImportBatch.objects.count() == 0
    text = log_output.getvalue()
    assert "Internal Server Error: /imports/" in text and "ValueError" in text
    for secret in PERSONAL:
        assert secret not in text, secret


def test_filter_removes_request_query_and_message():
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Failed: %s", ("/x/?name=Jane",), None)
    record.request = object()
    try:
        raise KeyError("Jane Doe")
    except KeyError:
        record.exc_info = sys.exc_info()
    assert PersonalDataFilter().filter(record) is True  # the record is kept, cleaned
    formatted = logging.Formatter("%(message)s").format(record)
    assert record.request is None
    assert formatted.startswith("Failed: /x/?…") and "KeyError" in formatted and "Jane" not in formatted
    # A second handler's filter leaves the cleaned record as it is.
    assert PersonalDataFilter().filter(record) and logging.Formatter("%(message)s").format(record) == formatted


def test_exception_passed_as_the_message_is_withheld():
    record = logging.LogRecord("gapmonitor", logging.ERROR, __file__, 1, ValueError("Jane Doe"), (), None)
    PersonalDataFilter().filter(record)
    assert record.getMessage().startswith("ValueError:") and "Jane" not in record.getMessage()
