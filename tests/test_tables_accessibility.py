"""Tables rendered through django-tables2 carry captions and scoped headers."""

import pytest

pytestmark = pytest.mark.django_db


def test_list_tables_have_a_caption_and_scoped_headers(demo_full):
    """django-tables2 lists use the project template: a <caption> and <th scope="col"> (WCAG tables)."""
    from django.contrib.auth.models import User
    from django.test import Client

    c = Client()
    c.force_login(User.objects.get(username="officer"))
    for url in ["/strategy/plans/", "/strategy/visits/"]:
        html = c.get(url).content.decode()
        assert "<caption>" in html and '<th scope="col"' in html, url
