from django.apps import AppConfig


class RexConfig(AppConfig):
    name = "rex"
    verbose_name = "REX — demandes d'enregistrement"

    def ready(self):
        from rex import checks  # noqa: F401 - registers the system checks
        from rex.documents import antivirus

        antivirus.signaler_si_desactive()
