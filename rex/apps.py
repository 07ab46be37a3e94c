from django.apps import AppConfig


class RexConfig(AppConfig):
    name = "rex"
    verbose_name = "REX — demandes d'enregistrement"
