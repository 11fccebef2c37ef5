"""The pages each dataset is measured on, who asks for them, and the raw-SQL floor of each; and the "cold"
request: the first request after an import, with no warm layer but the database's own.

- ``la``: one LA of 500 schools (8 years, every measure and group), as the LA officer.
- ``national``: ~150 LAs, ~20,000 schools. Demoshire's pages (an LA of 500 schools inside the national
  database) as its LA officer, and the all-LA page (and its CSV of every headline measure) as the national
  officer.
- ``single_la``: the worst case for one deployment, 22,000 schools in ONE LA: the ranked lists (priority list,
  gap busters, cluster RAG board) and the CSV of every school, as the LA officer.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Page:
    name: str
    url: str
    username: str
    floor: list = field(default_factory=list)


def pages_for(size: str) -> list[Page]:
    from django.urls import reverse

    from bench import floors
    from gapmonitor.conf import conf
    from schools.figures import years_with_results
    from schools.models import Area, LocalAuthority, Measure, PupilGroup, School

    la = LocalAuthority.objects.get(code="999")
    years = tuple(years_with_results(la))
    measure = conf.default_measure
    headline = tuple(Measure.objects.filter(headline=True).values_list("code", flat=True))
    every = tuple(Measure.objects.values_list("code", flat=True))
    groups = ("disadvantaged", "not_disadvantaged", "all")
    all_groups = tuple(PupilGroup.objects.values_list("code", flat=True))
    G, N = floors.Grouping, floors.National
    scope = ("la_id", la.pk)
    area = Area.objects.filter(la=la, schools__isnull=False).order_by("name").first()
    school = School.objects.filter(la=la, phase="primary", results__isnull=False).order_by("urn").first()
    ranked = [G("id", scope, (measure,), groups, years), N((measure,), groups, years)]
    overview = Page(
        "LA overview",
        reverse("schools:la_overview"),
        "officer",
        [
            G(None, scope, headline, groups, years),
            N(headline, groups, years),
            G("area_id", scope, (measure,), groups, years),
            G("cluster_id", scope, (measure,), groups, years),
        ],
    )
    priority = Page("Priority list", reverse("schools:priority"), "officer", ranked)
    rag = Page(
        "Cluster RAG board",
        reverse("schools:cluster_rag"),
        "officer",
        [G("cluster_id", scope, headline, groups, years), N(headline, groups, years)],
    )
    csv = Page(
        "CSV of every school (priority list)",
        reverse("schools:priority_export", args=["priority", "csv"]),
        "officer",
        ranked,
    )
    if size == "single_la":
        busters = Page("Gap busters", reverse("schools:gap_busters"), "officer", ranked)
        return [priority, busters, rag, csv]
    local = [
        overview,
        Page(
            "Area page",
            reverse("schools:area", args=[area.pk]),
            "officer",
            [
                G(None, ("area_id", area.pk), headline, groups, years),
                G(None, scope, headline, groups, years),
                N(headline, groups, years),
                G("cluster_id", ("area_id", area.pk), (measure,), groups, years),
                G("id", ("area_id", area.pk), (measure,), groups, years),
            ],
        ),
        Page(
            "School page",
            reverse("schools:school", args=[school.urn]),
            "officer",
            [
                G(None, None, every, all_groups, years, school_id=school.pk),
                G(None, scope, every, all_groups, years),
                N(every, all_groups, years),
            ],
        ),
        priority,
        rag,
        csv,
    ]
    if size != "national":
        return local
    latest = (years[-1],)
    every_la = [G("la_id", None, headline, groups, latest), N(headline, groups, latest)]
    return local + [
        Page("All-LA page (national officer)", reverse("schools:national"), "national", every_la),
        Page(
            "All-LA CSV, every headline measure",
            reverse("schools:national_export", args=["every-measure", "csv"]),
            "national",
            every_la,
        ),
    ]


def after_an_import(la_code: str = "999", *, write: bool = True) -> None:
    """What a user meets after an import: a result of the LA edited through the admin's save (the public write
    path of an edit: committed, its pooled figures refreshed in the same transaction, and whatever runs on
    write), the task that write queued run as ``manage.py db_worker`` runs it (re-judging the ranked lists'
    kept judgements, ``schools.rejudging``), and no warm layer above the database — Django's compiled
    templates dropped, the request memo empty — as on a worker process that has just started. ``write``
    False: the layers dropped only (the figures and judgements in the database are those the last write
    left)."""
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.template import engines
    from django.test import RequestFactory

    from schools import request_memo
    from schools.models import Result

    result = Result.objects.filter(school__la__code=la_code, cohort__isnull=False, cohort__gt=0).order_by("pk").first()
    if write and result is not None:
        request = RequestFactory().post("/admin/")
        request.user = get_user_model().objects.order_by("-is_superuser", "pk").first()  # recorded in the history
        result_admin = admin.site._registry[Result]
        with transaction.atomic():  # changed and changed back in one commit: each save re-pools, one task queued
            for change in (1, -1):
                result.cohort += change
                result_admin.save_model(request, result, form=None, change=True)
        run_queued_tasks()
    for engine in engines.all():
        for loader in getattr(engine, "engine", engine).template_loaders:
            reset = getattr(loader, "reset", None)
            if reset is not None:
                reset()
    request_memo.clear()


def run_queued_tasks() -> int:
    """Run every ready task of the database queue as ``manage.py db_worker`` would (claim, run, record); with
    another tasks backend (one that runs tasks at once) there is nothing queued. Returns how many ran."""
    from django.conf import settings

    if "database" not in settings.TASKS["default"]["BACKEND"]:
        return 0
    from django_tasks.backends.database.management.commands.db_worker import Worker
    from django_tasks.backends.database.models import DBTaskResult

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="bench",
    )
    ran = 0
    while (queued := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        queued.claim("bench")
        worker.run_task(queued)
        ran += 1
    return ran
