"""Creates a personal API token for an account and prints it (it is shown only this once)."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from api.models import Portee
from api.services import DUREE_DEFAUT_JOURS, JetonRefuse, creer_jeton


class Command(BaseCommand):
    help = (
        "Crée un jeton d'accès à l'API pour le compte IDENTIFIANT et l'affiche (une seule fois). "
        "Lecture seule par défaut."
    )

    def add_arguments(self, parser):
        parser.add_argument("identifiant", help="Identifiant du compte.")
        parser.add_argument("--ecriture", action="store_true", help="Portée « lecture et écriture ».")
        parser.add_argument("--nom", default="Jeton créé en ligne de commande", help="Nom du jeton.")
        parser.add_argument(
            "--jours", type=int, default=DUREE_DEFAUT_JOURS, help=f"Validité en jours ({DUREE_DEFAUT_JOURS})."
        )

    def handle(self, *args, identifiant, ecriture, nom, jours, **options):
        user = User.objects.select_related("entreprise").filter(username=identifiant).first()
        if user is None:
            raise CommandError(f"Aucun compte n'a l'identifiant « {identifiant} ».")
        try:
            jeton, token = creer_jeton(
                user=user, nom=nom, portee=Portee.ECRITURE if ecriture else Portee.LECTURE, jours=jours
            )
        except JetonRefuse as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(
            f"Jeton « {jeton.nom} » ({jeton.get_portee_display().lower()}) créé pour {user.username}, "
            f"valable jusqu'au {jeton.expire_le:%d/%m/%Y}. Copiez-le : il ne sera plus affiché."
        )
        self.stdout.write(token)
