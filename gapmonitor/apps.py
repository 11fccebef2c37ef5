from django.apps import AppConfig


class GapmonitorConfig(AppConfig):
    name = "gapmonitor"
    verbose_name = "gapmonitor"
