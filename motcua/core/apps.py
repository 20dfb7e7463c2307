from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "motcua.core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Django's own check (files.E001) wants the temporary uploads' folder to exist before
        # any command runs; it lives under VAR_DIR, which a fresh checkout does not have yet.
        from .limits import upload_temp_dir

        upload_temp_dir()
