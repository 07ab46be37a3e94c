"""Mail servers (an external system): one that refuses every message, as for an unknown address; the
in-memory one counting its connections; one that refuses some addresses."""

import smtplib

from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend


class RefusBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused(
            {address: (550, b"5.1.1 Adresse inconnue") for m in email_messages for address in m.to}
        )


class ConnexionsComptees(locmem.EmailBackend):
    """The in-memory backend, counting the connections opened and the messages sent outside one."""

    ouvertures = 0
    hors_connexion = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ouverte = False

    def open(self):
        if self.ouverte:
            return False
        ConnexionsComptees.ouvertures += 1
        self.ouverte = True
        return True

    def close(self):
        self.ouverte = False

    def send_messages(self, email_messages):
        if not self.ouverte:
            ConnexionsComptees.hors_connexion += 1
        return super().send_messages(email_messages)


class RefusPartiel(ConnexionsComptees):
    """A mail server that refuses the addresses at exemple.invalid and takes the others."""

    def send_messages(self, email_messages):
        for message in email_messages:
            refusees = [a for a in message.to if a.endswith("@exemple.invalid")]
            if refusees:
                raise smtplib.SMTPRecipientsRefused(dict.fromkeys(refusees, (550, b"5.1.1 Adresse inconnue")))
        return super().send_messages(email_messages)
