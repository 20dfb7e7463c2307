from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CatalogConfig(AppConfig):
    name = "motcua.catalog"
    verbose_name = "Thủ tục hành chính"

    def ready(self) -> None:
        from motcua.core.text import register_vi_collation

        # Lists sort with COLLATE "vi": SQLite learns it on each new connection.
        connection_created.connect(register_vi_collation, dispatch_uid="motcua-vi-collation")
