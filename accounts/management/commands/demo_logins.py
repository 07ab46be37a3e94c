"""Prints the demo logins created by load_demo, and where to use them."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from accounts.management.commands.load_demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from accounts.models import User


class Command(BaseCommand):
    help = "Affiche les identifiants de démonstration et l'adresse du service."

    def handle(self, *args, **options):
        site = settings.SITE_URL.rstrip("/")
        existants = set(
            User.objects.filter(username__in=[u for u, _ in DEMO_ACCOUNTS]).values_list("username", flat=True)
        )
        largeur = max(len(u) for u, _ in DEMO_ACCOUNTS) + 2
        lignes = [
            "",
            "SOPRANO/REX — comptes de démonstration",
            "",
            f"  Service :        {site}",
            f"  Administration : {site}{reverse('admin:index')}",
            f"  Mot de passe (tous les comptes) : {DEMO_PASSWORD}",
            "",
            f"  {'Identifiant'.ljust(largeur)}Rôle",
            f"  {'-' * (largeur - 2)}  {'-' * 60}",
        ]
        for username, role in DEMO_ACCOUNTS:
            absent = "" if username in existants else "  (absent : lancez load_demo)"
            lignes.append(f"  {username.ljust(largeur)}{role}{absent}")
        lignes.append("")
        self.stdout.write("\n".join(lignes))
