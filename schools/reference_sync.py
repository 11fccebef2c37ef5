"""Reference data in the database kept exactly as ``schools.reference_data`` states it.

:func:`sync_reference_data` creates or corrects every key stage, measure (with its series breaks), pupil group
(with its comparison group), academic year and role group, and touches nothing else: an LA's own measures and
groups, and the descriptions it wrote, stay. It writes only what differs, so a second run changes nothing.

It runs in the data migrations, after every ``migrate`` (``SchoolsConfig.ready`` connects it to
``post_migrate``) and before the demo builds its data, so a database created today and one migrated from an
old release hold the same reference rows.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as installed_apps

from . import reference_data as ref
from .roles import Role


def _concrete(model) -> set[str]:
    return {field.attname for field in model._meta.concrete_fields}


class _Writer:
    """Create or correct rows keyed by one field, writing only what differs (a migration's models or today's)."""

    def __init__(self, model, key: str):
        self.model, self.key = model, key
        self.fields = _concrete(model)
        self.rows = {getattr(row, key): row for row in model.objects.all()}
        self.written = 0

    def put(self, key_value: Any, values: dict[str, Any]):
        values = {name: value for name, value in values.items() if name in self.fields}
        row = self.rows.get(key_value)
        if row is None:
            row = self.model.objects.create(**{self.key: key_value}, **values)
            self.rows[key_value] = row
            self.written += 1
            return row
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        if changed:
            for name in changed:
                setattr(row, name, values[name])
            row.save(update_fields=[name.removesuffix("_id") if name.endswith("_id") else name for name in changed])
            self.written += 1
        return row


def sync_reference_data(apps=None) -> int:
    """Make the reference rows match ``schools.reference_data``; returns how many rows were written (0 when the
    database already matched). ``apps``: a migration's app registry (its historical models), or None for today's
    models. Fields a migration's models do not have yet are left for the migration that adds them."""
    registry = apps or installed_apps
    stages = _Writer(registry.get_model("schools", "KeyStage"), "code")
    for code, name, order in ref.KEY_STAGES:
        stages.put(code, {"name": name, "order": order})

    measures = _Writer(registry.get_model("schools", "Measure"), "code")
    for order, (code, name, short, stage, unit, hib, first, last, headline, va) in enumerate(ref.MEASURES):
        breaks = [{"year": year, "note": note} for year, note in ref.SERIES_BREAKS.get(code, ())]
        measures.put(
            code,
            {
                "name": name,
                "short_name": short,
                "key_stage_id": stages.rows[stage].pk,
                "unit": unit,
                "higher_is_better": hib,
                "first_year": first,
                "last_year": last,
                "headline": headline,
                "value_added": va,
                "order": order * 10,
                "series_breaks": breaks,
            },
        )

    groups = _Writer(registry.get_model("schools", "PupilGroup"), "code")
    for order, (code, name, category, _comparison, focus) in enumerate(ref.PUPIL_GROUPS):
        groups.put(code, {"name": name, "category": category, "is_focus": focus, "order": order * 10})
    for code, _name, _category, comparison, _focus in ref.PUPIL_GROUPS:
        groups.put(code, {"comparison_id": groups.rows[comparison].pk if comparison else None})

    years = _Writer(registry.get_model("schools", "AcademicYear"), "results_year")
    for year in range(ref.FIRST_YEAR, ref.LAST_YEAR + 1):
        years.put(
            year, {"label": f"{year - 1}/{str(year)[-2:]}", "results_published": year not in ref.UNPUBLISHED_YEARS}
        )

    roles = _Writer(registry.get_model("auth", "Group"), "name")
    for role in Role.values:
        roles.put(role, {})

    return sum(writer.written for writer in (stages, measures, groups, years, roles))


def sync_after_migrate(sender, apps=None, **kwargs) -> None:
    """``post_migrate`` receiver: after every ``migrate``, the reference rows are today's."""
    if sender.name == "schools":
        sync_reference_data(apps)
