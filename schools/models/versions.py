"""Cache invalidation: one counter that goes up after every committed write that changes a figure."""

from django.db import models


class DataVersion(models.Model):
    """One row whose counter goes up after every committed write that changes a figure or where a school sits
    (its LA, area, cluster, status), in any process. Each process's figure cache (``schools.figure_cache``)
    reads it once a request and drops figures pooled under an older counter."""

    counter = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "data version"

    def __str__(self):
        return f"data version {self.counter}"
