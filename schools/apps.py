from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "Schools and attainment"

    def ready(self):
        from . import aggregates, request_memo

        aggregates.connect()
        request_memo.connect()
