"""One typed settings module (gapmonitor.conf): each GAPMONITOR_* default stated once, read live."""

import ast
from pathlib import Path

from django.test import override_settings

from gapmonitor import settings as project_settings
from gapmonitor.conf import conf, from_env, settings_names

ROOT = Path(__file__).resolve().parent.parent
APPS = ("gapmonitor", "schools", "strategy", "ragboard", "reports", "feed", "bench")


def test_every_gapmonitor_setting_has_one_default_in_conf():
    defined = {name for name in vars(project_settings) if name.startswith("GAPMONITOR_")}
    assert defined == set(settings_names())


def test_no_application_code_reads_a_gapmonitor_setting_with_its_own_default():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path.name in {"conf.py", "settings.py", "test_settings.py"}:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                text = ast.unparse(node) if isinstance(node, (ast.Call, ast.Attribute)) else ""
                if "GAPMONITOR_" in text and ("getattr(settings" in text or text.startswith("settings.")):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text[:80]}")
    assert offenders == []


def test_reads_are_live_and_typed():
    with override_settings(GAPMONITOR_SUPPRESSION_THRESHOLD="11"):
        assert conf.suppression_threshold == 11
    with override_settings(GAPMONITOR_TREND_STABLE_BAND="2.5"):
        assert conf.trend_stable_band == 2.5


def test_a_setting_left_out_gets_the_default(settings):
    del settings.GAPMONITOR_PRIORITY_WIDE_GAP_MARGIN
    assert conf.priority_wide_gap_margin == 5.0


def test_environment_values_are_read_like_their_defaults(monkeypatch):
    monkeypatch.setenv("GAPMONITOR_SUPPRESSION_THRESHOLD", "10")
    monkeypatch.setenv("GAPMONITOR_COVERAGE_SHARE", "")
    assert from_env("GAPMONITOR_SUPPRESSION_THRESHOLD") == 10
    assert from_env("GAPMONITOR_COVERAGE_SHARE") == 0.9
    # Python-valued settings are never taken from the environment.
    monkeypatch.setenv("GAPMONITOR_GROUP_PARTITIONS", "junk")
    assert from_env("GAPMONITOR_GROUP_PARTITIONS") == [("sen_any", ("sen_support", "ehcp"))]
