"""Recomputes group memberships and object permissions (after an upgrade, or a manual data fix).

Idempotent: accounts join their company's or service's group, and every request gets the permissions
its status calls for (rex.permissions.accorder_acces).
"""

from django.core.management.base import BaseCommand

from accounts.groupes import synchroniser_groupes
from accounts.models import User
from rex.models import Demande
from rex.permissions import accorder_acces


class Command(BaseCommand):
    help = "Recalcule les groupes des comptes et les permissions objet des demandes."

    def handle(self, *args, **options):
        comptes = 0
        for user in User.objects.filter(is_active=True).iterator(chunk_size=500):
            synchroniser_groupes(user)
            comptes += 1
        demandes = 0
        for demande in Demande.objects.iterator(chunk_size=500):
            accorder_acces(demande)
            demandes += 1
        self.stdout.write(f"Permissions recalculées : {comptes} comptes, {demandes} demandes.")
