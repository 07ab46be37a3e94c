"""A year of history for the demo service (`manage.py load_demo_historique`, run by `load_demo`), so that
the « Tableau de bord du service » has something to show: requests filed over the past twelve months,
granted or rejected (some automatically), some that were « Incomplète » once or twice, a few due within
7 days, four officers.

Demo data, not a journey: the rows are written in bulk with their dates in the past (the history events'
`created_at` set after the insert), without e-mails nor webhooks. The companies are fictitious ones of
their own (never the demo accounts'), so that the demo journeys are unchanged. Idempotent: nothing is
written when the history is already there. Deterministic: the same history at every run (relative to
the day it runs).
"""

import random
from datetime import datetime, timedelta
from typing import NamedTuple

from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.groupes import groupe, nom_groupe_entreprise, nom_groupe_service, synchroniser_groupes
from accounts.management.commands.load_demo import siret_valide
from accounts.models import Entreprise, User
from rex import permissions
from rex.models import (
    DELAI_REPONSE,
    MOTIF_REJET_AUTOMATIQUE,
    Activite,
    Demande,
    DemandeGroupePermission,
    Evenement,
    Statut,
)

NOMBRE = 160
# Numbers of their own (FR-REX-AAAA-9NNNN), far from those the service gives (rex.models.Compteur).
NUMERO = "FR-REX-{annee}-9{rang:04d}"
COLLEGUES = (("moreau", "Julien", "Moreau"), ("haddad", "Nadia", "Haddad"), ("lemoine", "Hugo", "Lemoine"))
NOMS = (
    "Cave",
    "Distillerie",
    "Fromagerie",
    "Biscuiterie",
    "Chocolaterie",
    "Conserverie",
    "Faïencerie",
    "Verrerie",
    "Brasserie",
    "Huilerie",
)
VILLES = ("Lyon", "Bordeaux", "Lille", "Rennes", "Dijon", "Tours", "Nancy", "Reims", "Annecy", "Pau")
MOTIF_REJET = "Les conditions d'enregistrement ne sont pas remplies (activité d'exportation non établie)."
K = Evenement.Kind


class Etape(NamedTuple):
    """One event of a request's life: its kind, the statuses before and after, when, by whom, the text."""

    kind: str
    avant: str
    apres: str
    quand: datetime
    acteur: User | None
    texte: str


class Command(BaseCommand):
    help = "Crée un an d'historique de demandes pour le service de l'agent de démonstration."

    @transaction.atomic
    def handle(self, *args, **options):
        agent = User.objects.filter(username="agent", service__isnull=False).select_related("service").first()
        admin = User.objects.filter(username="admin").first()
        if agent is None or admin is None:
            raise CommandError("Lancez d'abord « python manage.py load_demo ».")
        service = agent.service
        if Demande.objects.filter(service=service, numero__regex=r"^FR-REX-[0-9]{4}-9[0-9]{4}$").exists():
            self.stdout.write("Historique de démonstration déjà présent.")
            return
        agents = [agent, *(self._collegue(service, *noms) for noms in COLLEGUES)]
        entreprises = self._entreprises()
        demandes, evenements = Histoire(service, agents, admin, timezone.now()).ecrire(entreprises)
        self._permissions(service, demandes)
        self.stdout.write(
            f"Historique de démonstration : {len(demandes)} demandes et {evenements} événements sur 12 mois "
            f"pour « {service.nom} »."
        )

    def _collegue(self, service, username, first_name, last_name) -> User:
        user, cree = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "last_name": last_name, "email": f"{username}@exemple.fr"},
        )
        if cree:
            user.set_unusable_password()  # a name in the figures, not an account to log in with
        user.service = service
        user.save()
        synchroniser_groupes(user)
        return user

    def _entreprises(self) -> list[Entreprise]:
        entreprises = []
        for rang in range(NOMBRE):
            eori = "FR" + siret_valide(f"{56000000 + rang:08d}", "0001")
            ville = VILLES[rang // len(NOMS) % len(VILLES)]
            entreprise, _ = Entreprise.objects.get_or_create(
                eori=eori,
                defaults={
                    "siret": eori[2:],
                    "raison_sociale": f"{NOMS[rang % len(NOMS)]} {ville} {rang + 1}",
                    "adresse": f"{rang + 1} rue du Commerce",
                    "code_postal": "69002",
                    "ville": ville,
                },
            )
            entreprises.append(entreprise)
        return entreprises

    def _permissions(self, service, demandes: list[Demande]) -> None:
        """What rex.permissions.accorder_acces gives, in bulk: the holder follows, the service instructs."""
        suivre = Permission.objects.get(codename=permissions.SUIVRE, content_type__app_label="rex")
        instruire = Permission.objects.get(codename=permissions.INSTRUIRE, content_type__app_label="rex")
        groupe_service = groupe(nom_groupe_service(service.pk))
        lignes = [
            DemandeGroupePermission(content_object=demande, group=groupe_service, permission=instruire)
            for demande in demandes
        ] + [
            DemandeGroupePermission(
                content_object=demande,
                group=groupe(nom_groupe_entreprise(demande.titulaire_id)),
                permission=suivre,
            )
            for demande in demandes
        ]
        DemandeGroupePermission.objects.bulk_create(lignes, ignore_conflicts=True)


class Histoire:
    """Each request's life drawn at random (a fixed seed), cut at `maintenant`."""

    def __init__(self, service, agents, deposant, maintenant):
        self.service, self.agents, self.deposant, self.maintenant = service, agents, deposant, maintenant
        self.hasard = random.Random(13)

    def jours(self, minimum, maximum) -> timedelta:
        return timedelta(days=self.hasard.uniform(minimum, maximum))

    def ecrire(self, entreprises) -> tuple[list[Demande], int]:
        demandes, vies = [], []
        for rang, entreprise in enumerate(entreprises):
            # Filed over 12 months, a little more in the recent ones; the last ten: due within 7 days.
            if rang >= NOMBRE - 10:
                vie = self.echeance_proche()
            else:
                vie = self.vie(self.maintenant - timedelta(days=365 * self.hasard.random() ** 1.2))
            demande, evenements = self.demande(rang, entreprise, vie)
            demandes.append(demande)
            vies.append(evenements)
        demandes = Demande.objects.bulk_create(demandes)
        lignes = []
        for demande, evenements in zip(demandes, vies, strict=True):
            for kind, avant, apres, quand, acteur, commentaire in evenements:
                ligne = Evenement(
                    demande=demande,
                    numero_demande=demande.numero,
                    service=self.service,
                    acteur=acteur,
                    kind=kind,
                    statut_avant=avant,
                    statut_apres=apres,
                    commentaire=commentaire,
                )
                ligne.date = quand
                lignes.append(ligne)
        Evenement.objects.bulk_create(lignes)
        for ligne in lignes:
            ligne.created_at = ligne.date
        Evenement.objects.bulk_update(lignes, ["created_at"], batch_size=500)
        for demande, evenements in zip(demandes, vies, strict=True):
            demande.created_at = demande.soumise_le - timedelta(days=1)
            demande.updated_at = evenements[-1][3]
        Demande.objects.bulk_update(demandes, ["created_at", "updated_at"], batch_size=500)
        return demandes, len(lignes)

    def vie(self, depot):
        """The events from the filing on, stopped at `maintenant`: (kind, before, after, when, actor,
        text)."""
        agent = self.hasard.choice(self.agents)
        quand = depot
        evenements = [Etape(K.SOUMISSION, Statut.BROUILLON, Statut.EN_ETUDE, quand, self.deposant, "")]
        quand += self.jours(0.2, 4)
        evenements.append(Etape(K.PRISE_EN_CHARGE, Statut.EN_ETUDE, Statut.EN_ETUDE, quand, agent, ""))
        tirage = self.hasard.random()
        complements = 2 if tirage < 0.12 else 1 if tirage < 0.45 else 0
        for _ in range(complements):
            quand += self.jours(2, 15)
            evenements.append(
                Etape(
                    K.DEMANDE_COMPLEMENT,
                    Statut.EN_ETUDE,
                    Statut.INCOMPLETE,
                    quand,
                    agent,
                    "Merci de préciser les positions tarifaires des marchandises exportées.",
                )
            )
            if self.hasard.random() < 0.12:  # no answer: rejected automatically after 30 days
                quand += DELAI_REPONSE
                evenements.append(
                    Etape(
                        K.REJET_AUTOMATIQUE,
                        Statut.INCOMPLETE,
                        Statut.REJETEE,
                        quand,
                        None,
                        MOTIF_REJET_AUTOMATIQUE,
                    )
                )
                break
            quand += self.jours(1, 25)
            evenements.append(
                Etape(K.COMPLEMENT, Statut.INCOMPLETE, Statut.EN_ETUDE, quand, None, "Compléments joints.")
            )
        else:
            quand += self.jours(2, 30)
            if self.hasard.random() < 0.8:
                evenements.append(Etape(K.OCTROI, Statut.EN_ETUDE, Statut.OCTROYEE, quand, agent, ""))
            else:
                evenements.append(Etape(K.REJET, Statut.EN_ETUDE, Statut.REJETEE, quand, agent, MOTIF_REJET))
        passes = [evenement for evenement in evenements if evenement[3] <= self.maintenant]
        return self.sans_delai_depasse(passes)

    def sans_delai_depasse(self, evenements):
        """A request left « Incomplète » past its 30 days is rejected automatically (the periodic job)."""
        kind, _, apres, quand, _, _ = evenements[-1]
        if apres == Statut.INCOMPLETE and quand + DELAI_REPONSE <= self.maintenant:
            evenements.append(
                Etape(
                    K.REJET_AUTOMATIQUE,
                    Statut.INCOMPLETE,
                    Statut.REJETEE,
                    quand + DELAI_REPONSE,
                    None,
                    MOTIF_REJET_AUTOMATIQUE,
                )
            )
        return evenements

    def echeance_proche(self):
        """« Incomplète » for 23 to 29 days: the deadline falls within the next 7 days."""
        agent = self.hasard.choice(self.agents)
        demande_complement = self.maintenant - self.jours(23, 29.5)
        depot = demande_complement - self.jours(3, 20)
        return [
            Etape(K.SOUMISSION, Statut.BROUILLON, Statut.EN_ETUDE, depot, self.deposant, ""),
            Etape(K.PRISE_EN_CHARGE, Statut.EN_ETUDE, Statut.EN_ETUDE, depot + self.jours(0.2, 2), agent, ""),
            Etape(
                K.DEMANDE_COMPLEMENT,
                Statut.EN_ETUDE,
                Statut.INCOMPLETE,
                demande_complement,
                agent,
                "Merci de joindre une attestation d'origine des produits.",
            ),
        ]

    def demande(self, rang, entreprise, evenements) -> tuple[Demande, list]:
        depot = evenements[0][3]
        dernier = evenements[-1]
        statut = dernier[2]
        complete_le = max([e[3] for e in evenements if e[0] in (K.SOUMISSION, K.COMPLEMENT)])
        agent = next((e[4] for e in evenements if e[0] == K.PRISE_EN_CHARGE), None)
        champs = {}
        if statut == Statut.INCOMPLETE:
            champs["date_limite"] = timezone.localtime(dernier[3]) + DELAI_REPONSE
        elif statut == Statut.REJETEE:
            champs.update(rejetee_le=dernier[3], motif_rejet=dernier[5])
        elif statut == Statut.OCTROYEE:
            champs.update(
                numero_rex=f"FRREX{entreprise.eori}",
                date_enregistrement=timezone.localdate(dernier[3]),
                date_validite=timezone.localdate(complete_le),
            )
        demande = Demande(
            statut=statut,
            numero=NUMERO.format(annee=timezone.localdate(depot).year, rang=rang + 1),
            bureau=self.service,
            service=self.service,
            titulaire=entreprise,
            titulaire_eori=entreprise.eori,
            titulaire_raison_sociale=entreprise.raison_sociale,
            titulaire_adresse=f"{entreprise.adresse}, {entreprise.code_postal} {entreprise.ville}",
            telephone="04 78 00 00 00",
            courriel=f"export{rang + 1}@exemple.fr",
            activite=Activite.PRODUCTION if rang % 3 else Activite.COMMERCIALISATION,
            engagement=True,
            engagement_nom="Responsable export",
            engagement_fonction="Directeur",
            engagement_lieu=entreprise.ville,
            consentement_publication=bool(rang % 4),
            created_by=self.deposant,
            soumise_le=depot,
            complete_le=complete_le,
            agent=agent,
            **champs,
        )
        return demande, evenements
