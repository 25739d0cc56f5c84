from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The KubeCon + CloudNativeCon North America 2022 demo report and its accounts."""

    name = "demo"
    verbose_name = "Demo"
