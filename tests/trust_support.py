"""Helpers for the trust tests: the demo LA built once per module, and a form's current values as POST data."""

from __future__ import annotations

import io
from contextlib import contextmanager

from django.core.management import call_command
from django.db import transaction
from django.test import Client


@contextmanager
def demo_for_module(django_db_blocker):
    """Build the full demo LA (every app's demo) inside a transaction that is rolled back afterwards, so a
    module's tests share it (each test's own changes are rolled back to a savepoint by the ``db`` fixture)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("generate_demo_data", schools=12, years=5, seed=3, stdout=io.StringIO())
            from django.contrib.auth.models import User

            yield {
                u.username: u for u in User.objects.filter(username__in=["officer", "adviser", "head", "data", "admin"])
            }
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(form, **changes) -> dict:
    """The form's current values as POST data (what a browser would send back unchanged), then ``changes``."""
    from django.forms import MultiWidget

    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        bound = form[name]
        value = bound.value()
        widget = field.widget
        if isinstance(widget, MultiWidget):
            parts = widget.decompress(value) if not isinstance(value, list) else value
            for index, part in enumerate(parts):
                if part is not None:
                    data[f"{bound.html_name}_{index}"] = str(part)
            continue
        if value is None or value is False:
            continue
        if value is True:
            data[bound.html_name] = "on"
        elif isinstance(value, (list, tuple)):
            data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[bound.html_name] = str(getattr(value, "pk", value))
    data.update(changes)
    return data
