from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "Schools and attainment"

    def ready(self):
        from . import aggregate_signals, request_memo

        aggregate_signals.connect()
        request_memo.connect()
