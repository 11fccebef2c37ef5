"""gapmonitor's own settings, typed, each default stated once.

``gapmonitor/settings.py`` sets every ``GAPMONITOR_*`` value from the environment with :func:`from_env`, which
falls back to the default written here; code reads ``conf.<name>`` (e.g. ``conf.suppression_threshold`` for
``GAPMONITOR_SUPPRESSION_THRESHOLD``), never ``getattr(settings, "GAPMONITOR_…", default)``. A value is read
once and kept until a setting changes (Django's ``setting_changed`` signal, which ``override_settings`` and
pytest-django's ``settings`` send), so an override in a test takes effect at once; a settings module that leaves
a value out gets the default below. Kept, because pages read these hundreds of times a request (every trend
reads its window and band) and a setting left out costs ``django.conf.settings`` an AttributeError each time.

A default of ``None`` means "the rules built into the module that uses the setting" (the cluster RAG rules in
``schools.rag``, the key-stage phases in ``schools.published``): those are data, kept beside the code that
reads them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

from django.conf import settings
from django.core.signals import setting_changed

T = TypeVar("T")
PREFIX = "GAPMONITOR_"
MB = 1024 * 1024


class Setting(Generic[T]):
    """One ``GAPMONITOR_*`` setting: its default, and how a value from the environment is read."""

    def __init__(self, default: T, parse: Callable[[Any], T] | None = None, *, env: bool = True) -> None:
        self.default = default
        self.parse: Callable[[Any], T] = parse or (lambda value: value)
        self.env = env  # False: a Python value (a list or dict) that only a settings module can set
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = PREFIX + name.upper()

    def __get__(self, instance: object, owner: type | None = None) -> T:
        try:
            return _read[self.name]
        except KeyError:
            value = getattr(settings, self.name, self.default)
            parsed = _read[self.name] = self.parse(value) if value is not None else cast(T, value)
            return parsed


# Each setting's value as last read (``Setting.__get__``), forgotten whenever a setting changes.
_read: dict[str, Any] = {}


def _forget(**_kwargs) -> None:
    _read.clear()


setting_changed.connect(_forget, dispatch_uid="gapmonitor_conf_forget")


class Conf:
    # Deployment
    trusted_proxies = Setting(0, int)  # reverse proxies appending to X-Forwarded-For (0: never read it)
    # Uploads and imports (bytes, columns, cells)
    max_upload_bytes = Setting(50 * MB, int)  # the largest file accepted
    max_uncompressed_bytes = Setting(500 * MB, int)  # an archive (XLSX, DOCX) once unzipped: a "zip bomb"
    import_max_columns = Setting(2_000, int)
    import_max_cells = Setting(10_000_000, int)
    import_max_expanded_bytes = Setting(200 * MB, int)
    # Statistics: groups smaller than this are suppressed (DfE: 1-5 pupils are not published).
    suppression_threshold = Setting(6, int)
    # Extra (whole, parts) partitions for secondary suppression, beyond each pair of complementary groups.
    group_partitions: Setting[list[tuple[str, tuple[str, ...]]] | list] = Setting(
        [("sen_any", ("sen_support", "ehcp"))], list, env=False
    )
    # A results year covering fewer than this share of the LA's open schools (of the measure's phases) gets a note.
    coverage_share = Setting(0.9, float)
    key_stage_phases: Setting[dict | None] = Setting(None, dict, env=False)
    # Trends: a change in gap smaller than this (points) is "stable"; the window and a stubborn run, in years.
    trend_stable_band = Setting(1.0, float)
    trend_window = Setting(3, int)
    stubborn_years = Setting(3, int)
    # Judgements (schools.judgements): "gap wider than England's" by at least this margin (points); gap busters
    # count focus groups of at least this many pupils; a focus group this big is judged on a single year.
    priority_wide_gap_margin = Setting(5.0, float)
    gap_buster_min_cohort = Setting(10, int)
    single_year_min_cohort = Setting(30, int)
    cluster_rag_rules: Setting[list[dict] | None] = Setting(None, list, env=False)
    # Pages open on this measure and focus group.
    default_measure = Setting("ks2_rwm_exp", str)
    default_group = Setting("disadvantaged", str)


conf = Conf()


def settings_names() -> dict[str, Setting]:
    """Every setting, by its name in ``django.conf.settings``."""
    return {item.name: item for item in vars(Conf).values() if isinstance(item, Setting)}


def from_env(name: str) -> Any:
    """For ``settings.py``: ``GAPMONITOR_<NAME>`` from the environment, read as its default is, or the default."""
    setting = settings_names()[name]
    raw = os.environ.get(name) if setting.env else None
    if raw is None or raw == "":
        return setting.default
    return setting.parse(raw)
