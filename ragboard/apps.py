from django.apps import AppConfig


class RagboardConfig(AppConfig):
    name = "ragboard"
