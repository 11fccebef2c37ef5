"""Shared fixtures: a small demo LA, one signed-in client per role, and every cache on where production's is."""

import pytest
from django.core.management import call_command

from schools import demo as demo_module

# The dashboard and import tests run with every cache production runs with on, so that what a test changes must
# reach the next page through invalidation. The pooled-figure table (schools.aggregates) and the request memo are
# always on now; this fixture is the one place to switch a cache on should one get a setting again.
CACHES_ON_IN = ("test_dashboard", "test_imports")  # modules whose names start so


@pytest.fixture
def every_cache_on():
    """Every cache production runs with, on, starting empty."""
    from schools import request_memo

    request_memo.clear()
    yield
    request_memo.clear()


@pytest.fixture(autouse=True)
def caches_as_in_production(request):
    if request.module.__name__.rpartition(".")[2].startswith(CACHES_ON_IN):
        request.getfixturevalue("every_cache_on")


@pytest.fixture
def demo(db):
    """A small deterministic demo LA (12 schools, 5 years: 2019, 2022–2025) with its users."""
    return demo_module.generate(schools=12, years=5, seed=3)


@pytest.fixture
def demo_full(db):
    """The demo LA with every app's extras, as `generate_demo_data` builds it."""
    call_command("generate_demo_data", schools=12, years=5, seed=3, stdout=open("/dev/null", "w"))
    from schools.models import LocalAuthority

    return LocalAuthority.objects.get(code=demo_module.DEMO_LA_CODE)


def _client_for(client_class, user):
    client = client_class()
    client.force_login(user)
    return client


@pytest.fixture
def role_client(demo, client):
    """role_client("officer") → a test client signed in as that demo user."""
    from django.test import Client

    def make(username):
        return _client_for(Client, demo.users[username])

    return make
