"""What rex announces to the rest of the project without knowing it (rex never imports webhooks).

Sent by the services, inside their transaction: a receiver that writes rows (the webhooks outbox) writes
them in the same transaction as the change, and never sends anything before the commit.
"""

from django.dispatch import Signal

# One history row written (rex.services.base.evenement): keyword arguments `evenement` (the Evenement)
# and `demande` (the locked Demande, as saved).
evenement_enregistre = Signal()

# History rows written set-based by a batch job (rex.services.rejet_automatique): keyword arguments
# `demande_ids` (the requests, already saved), `kind`, `avant` and `apres` (the same for every row).
evenements_enregistres = Signal()

# One message of the « Fil de discussion » written: keyword arguments `message` and `demande`.
message_enregistre = Signal()
