import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_dump(role_client):
    client = role_client("officer")
    r = client.get(reverse("schools:priority_export", args=["priority", "csv"]))
    open("/tmp/judged_old.csv", "wb").write(r.content)
    client = role_client("head")
