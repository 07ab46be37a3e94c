"""What accounts announces to the rest of the project without knowing it (accounts never imports rex)."""

from django.dispatch import Signal

# An account e-mail to send: keyword arguments `destinataire`, `modele` (emails/<modele>_*) and `contexte`.
# The project's outbox receives it (rex.apps): written in the caller's transaction, sent after commit.
courriel_a_envoyer = Signal()
