"""The place a plan or a target is about: its LA, or an area, a cluster or a school in it."""

from __future__ import annotations

from django.db import models

PLACES_IN_LA = ("area", "cluster", "school")


class ScopedToPlace(models.Model):
    """A row about one place: the LA (``la``) or, narrower, an area, a cluster or a school in it. Each model
    declares its own links ``la``, ``area``, ``cluster`` and ``school`` (each with its own reverse name)."""

    class Meta:
        abstract = True

    @property
    def scope(self):
        """The organisation whose figures the row is about: the narrowest place it names."""
        return self.school or self.cluster or self.area or self.la

    def places_outside_la(self) -> dict[str, str]:
        """An error, by field, for each place named that lies in another local authority than the row's."""
        errors = {}
        for field in PLACES_IN_LA:
            place = getattr(self, field) if getattr(self, f"{field}_id") else None
            if place is not None and self.la_id and place.la_id != self.la_id:
                errors[field] = f"That {field} is in another local authority."
        return errors
