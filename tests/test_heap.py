"""A server process settles its heap once the project is loaded (``gapmonitor.heap``): the WSGI entry point
imports every view and freezes what survives, so the garbage collector's full collections walk only what
requests create."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import gc, sys
import gapmonitor.wsgi
print(gc.get_freeze_count(), "schools.views" in sys.modules, "strategy.views" in sys.modules, gc.get_threshold()[0])
"""


def test_wsgi_entry_point_loads_the_views_and_freezes_the_heap():
    env = {**os.environ, "GAPMONITOR_LOCAL": "1", "DJANGO_SETTINGS_MODULE": "gapmonitor.settings"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    frozen, schools_views, strategy_views, youngest = int(out[0]), out[1], out[2], int(out[3])
    # Django, pandas and plotly alone are tens of thousands of objects; an unfrozen heap reports 0.
    assert frozen > 50_000, frozen
    assert (schools_views, strategy_views) == ("True", "True")
    assert youngest == 10_000  # Python's default is 700


def test_settle_leaves_nothing_young_behind():
    import gc

    from gapmonitor import heap

    was_frozen, was_threshold = gc.get_freeze_count(), gc.get_threshold()
    try:
        heap.settle()
        assert gc.get_freeze_count() >= was_frozen
        assert gc.get_count()[1:] == (0, 0)  # just collected: no older generation is waiting
    finally:
        gc.unfreeze()  # the test process keeps collecting as before
        gc.set_threshold(*was_threshold)
