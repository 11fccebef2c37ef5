from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "Schools and attainment"

    def ready(self):
        from . import figure_cache

        figure_cache.connect()
