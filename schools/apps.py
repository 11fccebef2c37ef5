from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "Schools and attainment"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import aggregate_signals, rejudging, request_memo
        from .reference_sync import sync_after_migrate

        aggregate_signals.connect()
        request_memo.connect()
        rejudging.connect()
        post_migrate.connect(sync_after_migrate, dispatch_uid="schools.sync_reference_data")
