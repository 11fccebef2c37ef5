"""The figure cache across processes: a web process keeps pooled figures in memory, and a write made in
another process (the admin on another worker, a management command) must reach it on its next request.

Two real processes share the test database (a file copy of SQLite's in-memory test database, or the
PostgreSQL test database): a *reader* with the cache on, answering "figures" requests on stdin, and a
*writer* run once per change. Hand-worked figures (KS2 RWM expected standard, disadvantaged, 2024):

    North Primary   cluster North   6 of 10 reach it
    South Primary   cluster South   3 of 10
    Bridge Primary  cluster North   8 of 10
    → North pools 14/20, South 3/10. Bridge moves to South → North 6/10, South 11/20.
"""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from schools.models import Cluster, LocalAuthority, Measure, PupilGroup, Result, School

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parent.parent

READER = """
import json, sys
import django
django.setup()
from django.core.signals import request_started
from schools.models import School

print("ready", flush=True)
for line in sys.stdin:
    request_started.send(sender=None)  # each line is a new request: "all" or "open" schools
    schools = School.objects.filter(status="open") if line.strip() == "open" else School.objects.all()
    pooled = figures_by("cluster", schools, measures=["ks2_rwm_exp"],
                                  groups=["disadvantaged"], years=[2024])
    print(json.dumps({str(key[0]): [f.numerator, f.cohort] for key, f in pooled.items()}), flush=True)
"""

WRITER = """
import sys
import django
django.setup()
from schools.models import Area, Cluster, School
from schools.figures import figures_by
exec(sys.argv[1])
"""


def database_url(tmp_path) -> str:
    """A URL other processes can open for the database this test writes to."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "shared.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"
    if connection.vendor == "postgresql":
        auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
        return f"postgres://{auth}@{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    pytest.fail(f"No cross-process test for {connection.vendor}")


def environment(url, tmp_path) -> dict:
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="gapmonitor.settings",
        GAPMONITOR_LOCAL="1",
        GAPMONITOR_VAR_DIR=str(tmp_path),
        DATABASE_URL=url,
        GAPMONITOR_FIGURE_CACHE="1",
        GAPMONITOR_FIGURE_CACHE_SECONDS="3600",
        CONN_MAX_AGE="0",
        LOG_LEVEL="ERROR",
    )
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


class Reader:
    def __init__(self, env):
        self.process = subprocess.Popen(
            [sys.executable, "-c", READER], cwd=ROOT, env=env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert self.process.stdout.readline().strip() == "ready"

    def figures(self, clusters, schools="all") -> dict[str, tuple]:
        self.process.stdin.write(f"{schools}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the reader process died"
        pooled = json.loads(line)
        return {name: tuple(pooled.get(str(cluster.pk), (None, None))) for name, cluster in clusters.items()}

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=60)


def write(env, code):
    subprocess.run([sys.executable, "-c", WRITER, code], cwd=ROOT, env=env, check=True, timeout=120)


@pytest.fixture
def two_clusters():
    la = LocalAuthority.objects.create(code="902", name="Crossshire")
    clusters = {name: Cluster.objects.create(la=la, name=name) for name in ("North", "South")}
    measure = Measure.objects.get(code="ks2_rwm_exp")
    group = PupilGroup.objects.get(code="disadvantaged")
    for urn, name, cluster, achievers in (
        (902001, "North Primary", "North", 6),
        (902002, "South Primary", "South", 3),
        (902003, "Bridge Primary", "North", 8),
    ):
        school = School.objects.create(urn=urn, la=la, name=name, cluster=clusters[cluster])
        Result.objects.create(
            school=school, results_year=2024, measure=measure, pupil_group=group, cohort=10, achievers=achievers
        )
    return clusters


@pytest.fixture
def processes(two_clusters, tmp_path):
    env = environment(database_url(tmp_path), tmp_path)
    reader = Reader(env)
    yield reader, env, two_clusters
    reader.close()


def test_a_school_moved_in_another_process_is_pooled_with_its_new_cluster(processes):
    reader, env, clusters = processes
    assert reader.figures(clusters) == {"North": (14.0, 20), "South": (3.0, 10)}
    write(env, "s = School.objects.get(urn=902003); s.cluster = Cluster.objects.get(name='South'); s.save()")
    assert reader.figures(clusters) == {"North": (6.0, 10), "South": (11.0, 20)}


def test_a_cluster_deleted_in_another_process_leaves_no_figures(processes):
    reader, env, clusters = processes
    assert reader.figures(clusters)["North"] == (14.0, 20)
    # Deleting the cluster empties it through SET NULL: its schools are never saved one by one.
    write(env, "Cluster.objects.get(name='North').delete()")
    assert reader.figures(clusters) == {"North": (None, None), "South": (3.0, 10)}


def test_a_school_closed_in_another_process_drops_out_of_open_schools_figures(processes):
    reader, env, clusters = processes
    assert reader.figures(clusters, "open") == {"North": (14.0, 20), "South": (3.0, 10)}
    write(env, "s = School.objects.get(urn=902002); s.status = 'closed'; s.save()")
    assert reader.figures(clusters, "open") == {"North": (14.0, 20), "South": (None, None)}
    assert reader.figures(clusters, "all")["South"] == (3.0, 10)
