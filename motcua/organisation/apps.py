from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "motcua.organisation"
    verbose_name = "Cơ quan, đơn vị"
