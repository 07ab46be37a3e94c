from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Notifications techniques (webhooks)"

    def ready(self):
        from rex import signals
        from webhooks import (
            checks,  # noqa: F401 - registers the system checks
            evenements,
            tasks,  # noqa: F401 - registers the Celery tasks queued by name
        )

        signals.evenement_enregistre.connect(evenements.sur_evenement, dispatch_uid="webhooks.evenement")
        signals.evenements_enregistres.connect(evenements.sur_evenements, dispatch_uid="webhooks.evenements")
        signals.message_enregistre.connect(evenements.sur_message, dispatch_uid="webhooks.message")
