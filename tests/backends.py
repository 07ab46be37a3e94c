"""A mail server that refuses every message, as one does for an unknown address (an external system)."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused(
            {address: (550, b"5.1.1 Adresse inconnue") for m in email_messages for address in m.to}
        )
