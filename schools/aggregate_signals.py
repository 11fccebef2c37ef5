"""ORM writes that change pooled figures re-pool them in the same transaction (``schools.aggregates``): a result
saved or deleted (the admin, services), a school moved between LA / area / cluster, a measure's unit changed,
an area / cluster / LA deleted (its schools leave it by SET NULL, without being saved), a benchmark saved or
deleted or an LA created or recoded (its published figure)."""

from __future__ import annotations

from .aggregates import PUBLISHED, Touched, forget, pending, repool_measure, repool_published, touch


def _result_pre_save(sender, instance, raw=False, **_kwargs):
    if instance.pk and not raw:
        old = sender.objects.filter(pk=instance.pk).values_list("school_id", "results_year").first()
        instance._pooled_before = old


def _result_saved(sender, instance, raw=False, **_kwargs):
    pairs = [(instance.school_id, instance.results_year)]
    before = getattr(instance, "_pooled_before", None)
    if before is not None and tuple(before) != pairs[0]:
        pairs.append(tuple(before))
    touch(pairs)


def _result_deleted(sender, instance, **_kwargs):
    touch([(instance.school_id, instance.results_year)])


def _school_pre_save(sender, instance, raw=False, **_kwargs):
    if instance.pk and not raw:
        instance._pooled_before = (
            sender.objects.filter(pk=instance.pk).values_list("cluster_id", "area_id", "la_id").first()
        )


def _school_saved(sender, instance, created=False, raw=False, **_kwargs):
    before = getattr(instance, "_pooled_before", None)
    if created or before is None or tuple(before) == (instance.cluster_id, instance.area_id, instance.la_id):
        return
    waiting = pending()
    touched = waiting if waiting is not None else Touched()
    for level, org in zip(("cluster", "area", "la"), before, strict=True):
        touched.add_orgs(level, [org])
    touched.add(schools=[instance.pk])
    if waiting is None:
        touched.refresh()


def _measure_pre_save(sender, instance, raw=False, **_kwargs):
    if instance.pk and not raw:
        instance._pooled_unit = sender.objects.filter(pk=instance.pk).values_list("unit", flat=True).first()


def _measure_saved(sender, instance, created=False, raw=False, **_kwargs):
    before = getattr(instance, "_pooled_unit", None)
    if not created and before is not None and before != instance.unit:
        repool_measure(instance.pk)


def _benchmark_pre_save(sender, instance, raw=False, **_kwargs):
    if instance.pk and not raw:
        instance._pooled_code = sender.objects.filter(pk=instance.pk).values_list("geography_code", flat=True).first()


def _benchmark_written(sender, instance, raw=False, **_kwargs):
    touch(published={instance.geography_code, getattr(instance, "_pooled_code", None) or instance.geography_code})


def _la_pre_save(sender, instance, raw=False, **_kwargs):
    if instance.pk and not raw:
        instance._pooled_code = sender.objects.filter(pk=instance.pk).values_list("code", flat=True).first()


def _la_saved(sender, instance, created=False, raw=False, **_kwargs):
    """A new LA, or one given another code: its published figure is the benchmarks under its code now."""
    if not raw and (created or getattr(instance, "_pooled_code", None) != instance.code):
        repool_published([instance.pk])


def _la_deleted(sender, instance, **_kwargs):
    forget("la", instance.pk)
    forget(PUBLISHED, instance.pk)


def _forgetter(level):
    def handler(sender, instance, **_kwargs):
        forget(level, instance.pk)

    return handler


_forget_area, _forget_cluster = _forgetter("area"), _forgetter("cluster")


def _forget_la_judgements(sender, instance, raw=False, **_kwargs):
    """A school (its type decides its national figures) or a local threshold saved or deleted: its LA's kept
    judgements (``schools.stored_judgements``) are stale."""
    from .models import JudgementSet, LocalThreshold

    measure_id = instance.measure_id if isinstance(instance, LocalThreshold) else None
    JudgementSet.forget(la_ids=[instance.la_id], measure_id=measure_id)


def _forget_all_judgements(sender, instance, raw=False, **_kwargs):
    """A measure, pupil group or benchmark saved or deleted: every kept judgement may rest on it."""
    from .models import JudgementSet

    JudgementSet.forget()


def connect() -> None:
    """Called by the app's ready()."""
    from django.db.models.signals import post_delete, post_save, pre_save

    from .models import Area, Benchmark, Cluster, LocalAuthority, LocalThreshold, Measure, PupilGroup, Result, School

    pre_save.connect(_result_pre_save, sender=Result, dispatch_uid="pooled_result_pre_save")
    post_save.connect(_result_saved, sender=Result, dispatch_uid="pooled_result_saved")
    post_delete.connect(_result_deleted, sender=Result, dispatch_uid="pooled_result_deleted")
    pre_save.connect(_school_pre_save, sender=School, dispatch_uid="pooled_school_pre_save")
    post_save.connect(_school_saved, sender=School, dispatch_uid="pooled_school_saved")
    pre_save.connect(_measure_pre_save, sender=Measure, dispatch_uid="pooled_measure_pre_save")
    post_save.connect(_measure_saved, sender=Measure, dispatch_uid="pooled_measure_saved")
    post_delete.connect(_forget_area, sender=Area, dispatch_uid="pooled_area_deleted")
    post_delete.connect(_forget_cluster, sender=Cluster, dispatch_uid="pooled_cluster_deleted")
    post_delete.connect(_la_deleted, sender=LocalAuthority, dispatch_uid="pooled_la_deleted")
    pre_save.connect(_la_pre_save, sender=LocalAuthority, dispatch_uid="pooled_la_pre_save")
    post_save.connect(_la_saved, sender=LocalAuthority, dispatch_uid="pooled_la_saved")
    pre_save.connect(_benchmark_pre_save, sender=Benchmark, dispatch_uid="pooled_benchmark_pre_save")
    post_save.connect(_benchmark_written, sender=Benchmark, dispatch_uid="pooled_benchmark_saved")
    post_delete.connect(_benchmark_written, sender=Benchmark, dispatch_uid="pooled_benchmark_deleted")
    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        for model in (School, LocalThreshold):
            signal.connect(_forget_la_judgements, sender=model, dispatch_uid=f"judgements_{model.__name__}_{name}")
        for model in (Measure, PupilGroup, Benchmark):
            signal.connect(_forget_all_judgements, sender=model, dispatch_uid=f"judgements_{model.__name__}_{name}")
