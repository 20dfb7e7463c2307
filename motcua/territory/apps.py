from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "motcua.territory"
    verbose_name = "Đơn vị hành chính"
