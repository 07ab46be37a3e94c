from django.apps import AppConfig


class RexConfig(AppConfig):
    name = "rex"
    verbose_name = "REX — demandes d'enregistrement"

    def ready(self):
        from accounts.signals import courriel_a_envoyer
        from rex import (
            checks,  # noqa: F401 - registers the system checks
            tasks,  # noqa: F401 - registers the Celery tasks that rex.emails and rex.pdf queue
        )
        from rex.documents import antivirus

        antivirus.signaler_si_desactive()
        courriel_a_envoyer.connect(_courriel_compte, dispatch_uid="rex.courriel_compte")


def _courriel_compte(sender, *, destinataire: str, modele: str, contexte: dict, **kwargs) -> None:
    """The account e-mails (accounts.signals) go through the project's outbox like every other."""
    from rex.emails import programmer_courriel

    programmer_courriel(destinataire=destinataire, modele=modele, contexte=contexte)
