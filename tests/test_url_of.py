"""``dashboard.common.url_of`` writes the same URL as ``reverse`` for every integer argument, under any script
prefix."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from schools.dashboard.common import url_of


@pytest.mark.parametrize("name", ["schools:area", "schools:cluster", "schools:school"])
@pytest.mark.parametrize("number", [0, 7, 98765, 100000123, 987654321012345])
def test_same_as_reverse(name, number):
    assert url_of(name, number) == reverse(name, args=[number])


def test_follows_the_script_prefix():
    try:
        set_script_prefix("/gaps/")
        assert url_of("schools:school", 141294) == "/gaps/schools/141294/" == reverse("schools:school", args=[141294])
    finally:
        clear_script_prefix()
    assert url_of("schools:school", 141294) == "/schools/141294/"
