"""Demo accounts for trying the service: `manage.py load_demo` (idempotent).

Needs the reference data (`manage.py load_reference_data`). A run creates what is missing and puts
back the demo password, companies and mandates; it never withdraws a certification or an
habilitation (delete « nouveau » in the admin and run again to retry the habilitation request).
Certification and habilitation go through the services, without e-mails. Then a year of history for
the officer's service (`load_demo_historique`, called by its name: accounts never imports rex), which
the « Tableau de bord du service » shows.
"""

from datetime import date

from django.contrib.auth import password_validation
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from stdnum import luhn

from accounts import services
from accounts.groupes import synchroniser_groupes
from accounts.models import BureauDouane, Entreprise, Mandat, User

DEMO_PASSWORD = "Soprano-Demo1!"

# (identifiant, rôle affiché par demo_logins)
DEMO_ACCOUNTS = (
    ("operateur", "Opérateur certifié et habilité (exportateur)"),
    ("transitaire", "Représentant en douane, certifié et habilité, onze clients (« Mes clients »)"),
    ("nouveau", "Opérateur certifié, pas encore habilité (pour « Demander mon habilitation »)"),
    ("agent", "Agent des douanes (back-office)"),
    ("cheffe", "Cheffe de service (back-office ; « Tableau de bord du service » : vue nationale)"),
    ("admin", "Administrateur / PAE (interface d'administration)"),
)


def siret_valide(siren_base: str, nic_base: str) -> str:
    """A SIRET whose SIREN (9 digits) and whole number (14 digits) both pass the Luhn check."""
    siren = siren_base + luhn.calc_check_digit(siren_base)
    debut = siren + nic_base
    return debut + luhn.calc_check_digit(debut)


ENTREPRISES = {
    "operateur": {
        "eori": "FR" + siret_valide("55120001", "0001"),
        "raison_sociale": "Vignobles Durand SAS",
        "adresse": "12 route des Crus",
        "code_postal": "33250",
        "ville": "Pauillac",
        "telephone": "05 56 59 00 00",
    },
    "transitaire": {
        "eori": "FR" + siret_valide("55120002", "0001"),
        "raison_sociale": "Transit Martin et Fils",
        "adresse": "3 quai du Port",
        "code_postal": "13002",
        "ville": "Marseille",
        "telephone": "04 91 00 00 00",
        "est_representant_en_douane": True,
    },
    "client1": {
        "eori": "FR" + siret_valide("55120003", "0001"),
        "raison_sociale": "Savonnerie de Provence",
        "adresse": "8 avenue des Oliviers",
        "code_postal": "13100",
        "ville": "Aix-en-Provence",
    },
    "client2": {
        "eori": "FR" + siret_valide("55120004", "0001"),
        "raison_sociale": "Coutellerie Laguiole Bessière",
        "adresse": "1 place du Foirail",
        "code_postal": "12210",
        "ville": "Laguiole",
    },
    "nouveau": {
        "eori": "FR" + siret_valide("55120005", "0001"),
        "raison_sociale": "Biscuiterie Lefèvre",
        "adresse": "25 rue de la Gare",
        "code_postal": "44000",
        "ville": "Nantes",
    },
}


class Command(BaseCommand):
    help = "Crée (ou remet en état) les comptes de démonstration. Nécessite load_reference_data."

    @transaction.atomic
    def handle(self, *args, **options):
        bureau = (
            BureauDouane.objects.filter(nom__icontains="Paris").order_by("nom").first()
            or BureauDouane.objects.order_by("nom").first()
        )
        if bureau is None:
            raise CommandError(
                "Aucun bureau de douane n'est enregistré : lancez d'abord "
                "« python manage.py load_reference_data »."
            )
        password_validation.validate_password(DEMO_PASSWORD)

        entreprises = {cle: self._entreprise(**valeurs) for cle, valeurs in ENTREPRISES.items()}
        admin = self._user("admin", "Paul", "Administrateur", is_staff=True, is_superuser=True)

        for username, prenom, nom, cle, habilite in (
            ("operateur", "Claire", "Durand", "operateur", True),
            ("transitaire", "Marc", "Martin", "transitaire", True),
            ("nouveau", "Léa", "Lefèvre", "nouveau", False),
        ):
            user = self._user(username, prenom, nom, entreprise=entreprises[cle])
            services.certifier(user=user, by=admin, notifier=False)
            if habilite:
                services.habiliter(user=user, by=admin, notifier=False)

        for cle in ("client1", "client2"):
            Mandat.objects.update_or_create(
                representant=entreprises["transitaire"],
                represente=entreprises[cle],
                defaults={"date_debut": date(date.today().year - 1, 1, 1), "date_fin": None},
            )

        self._user("agent", "Sophie", "Bernard", service=bureau)
        # A staff officer: the dashboard's national view (every service) and its service selector.
        self._user("cheffe", "Hélène", "Marchal", service=bureau, is_staff=True)
        # Requests come from rex's own commands (accounts never imports rex): the representative's clients
        # in every situation (« Mes clients »), and a year of the service's history (its dashboard).
        call_command("load_demo_clients", stdout=self.stdout)
        call_command("load_demo_historique", stdout=self.stdout)

        self.stdout.write(
            self.style.SUCCESS(
                f"Comptes de démonstration prêts (mot de passe : {DEMO_PASSWORD}). "
                f"L'agent est rattaché au bureau « {bureau.nom} ». "
                "Voir « python manage.py demo_logins »."
            )
        )

    def _entreprise(self, *, eori: str, **valeurs) -> Entreprise:
        entreprise, _ = Entreprise.objects.update_or_create(
            eori=eori, defaults={"siret": eori[2:], **valeurs}
        )
        entreprise.full_clean()
        return entreprise

    def _user(self, username, first_name, last_name, **champs) -> User:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = first_name
        user.last_name = last_name
        user.email = f"{username}@exemple.fr"
        user.is_active = True
        user.is_staff = champs.pop("is_staff", False)
        user.is_superuser = champs.pop("is_superuser", False)
        user.entreprise = champs.pop("entreprise", None)
        user.service = champs.pop("service", None)
        user.set_password(DEMO_PASSWORD)
        user.save()
        synchroniser_groupes(user)
        return user
