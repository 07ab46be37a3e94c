"""« Mes clients » of the demo representative (`transitaire`): clients under mandate in every situation.

Run by `load_demo` at its end (after the accounts); idempotent: a demo client that has a request already
is left as it is, its mandate put back. The requests go through rex.services (numbers, history, thread)
as the demo's `transitaire` and `agent` would file and instruct them; the demo sends no e-mail (the rows
its actions wrote in the outbox are dropped before the commit).
"""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from stdnum import luhn

from accounts.models import Entreprise, Mandat, User
from rex import services
from rex.models import (
    CadrePreferentiel,
    Contact,
    Courriel,
    Demande,
    Evenement,
    LigneMarchandise,
    PositionTarifaire,
)

# (SIREN base, raison sociale, ville, code postal, what happened to its request, its mandate)
CLIENTS = (
    ("55120101", "Huilerie du Luberon", "Apt", "84400", "incomplete_proche", "en_cours"),
    ("55120102", "Nougaterie de Montélimar", "Montélimar", "26200", "incomplete", "en_cours"),
    ("55120103", "Faïencerie de Moustiers", "Moustiers-Sainte-Marie", "04360", "en_etude", "en_cours"),
    ("55120104", "Distillerie des Alpilles", "Saint-Rémy-de-Provence", "13210", "octroyee", "en_cours"),
    ("55120105", "Conserverie Le Goff", "Douarnenez", "29100", "rejetee_puis_redeposee", "en_cours"),
    ("55120106", "Tissages du Vercors", "Villard-de-Lans", "38250", "brouillon", "en_cours"),
    ("55120107", "Verrerie de Biot", "Biot", "06410", "octroyee", "termine"),
    ("55120108", "Chocolaterie Bayonnaise", "Bayonne", "64100", "", "en_cours"),
    ("55120109", "Santons d'Aubagne", "Aubagne", "13400", "", "a_venir"),
)
# Days left to answer the officer's request for information (« Incomplète »).
JOURS_RESTANTS = {"incomplete_proche": 3, "incomplete": 18}


def eori(siren_base: str) -> str:
    siren = siren_base + luhn.calc_check_digit(siren_base)
    debut = siren + "0001"
    return "FR" + debut + luhn.calc_check_digit(debut)


class Command(BaseCommand):
    help = "Donne au représentant de démonstration des clients dans toutes les situations (« Mes clients »)."

    @transaction.atomic
    def handle(self, *args, **options):
        transitaire = User.objects.filter(username="transitaire").select_related("entreprise").first()
        agent = User.objects.filter(username="agent").select_related("service").first()
        if transitaire is None or agent is None or agent.service is None:
            raise CommandError("Lancez d'abord « python manage.py load_demo ».")
        position = PositionTarifaire.objects.order_by("code").first()
        cadre = CadrePreferentiel.objects.filter(actif=True).order_by("ordre", "pk").first()
        if position is None or cadre is None:
            self.stdout.write(
                "Clients du représentant de démonstration : nomenclature ou cadres préférentiels absents "
                "(lancez « python manage.py load_reference_data »), aucune demande créée."
            )
        aujourd_hui = timezone.localdate()
        crees = []
        for siren, raison_sociale, ville, code_postal, parcours, mandat in CLIENTS:
            client, _ = Entreprise.objects.update_or_create(
                eori=eori(siren),
                defaults={
                    "raison_sociale": raison_sociale,
                    "adresse": "1 place de la Mairie",
                    "code_postal": code_postal,
                    "ville": ville,
                },
            )
            # Running while its requests are filed (a representative files for a client under mandate).
            Mandat.objects.update_or_create(
                representant=transitaire.entreprise,
                represente=client,
                defaults={"date_debut": date(aujourd_hui.year - 1, 1, 1), "date_fin": None},
            )
            if parcours and position and cadre and not Demande.objects.filter(titulaire=client).exists():
                crees += self._parcours(parcours, transitaire, agent, client, position, cadre)
            if mandat == "termine":
                Mandat.objects.filter(representant=transitaire.entreprise, represente=client).update(
                    date_fin=aujourd_hui - timedelta(days=20)
                )
            elif mandat == "a_venir":
                Mandat.objects.filter(representant=transitaire.entreprise, represente=client).update(
                    date_debut=aujourd_hui + timedelta(days=15)
                )
        Courriel.objects.filter(demande__in=crees).delete()
        self.stdout.write(
            f"Clients du représentant de démonstration : {len(CLIENTS)} ({len(crees)} demandes créées)."
        )

    def _parcours(self, parcours, transitaire, agent, client, position, cadre) -> list[Demande]:
        """The client's requests, filed by the representative and instructed by the demo officer."""
        demande = self._brouillon(transitaire, agent, client, position, cadre)
        if parcours == "brouillon":
            return [demande]
        demande = services.soumettre(demande=demande, by=transitaire)
        if parcours == "en_etude":
            return [demande]
        demande = services.prendre_en_charge(demande=demande, by=agent)
        if parcours == "octroyee":
            return [services.octroyer(demande=demande, by=agent)]
        if parcours in JOURS_RESTANTS:
            demande = services.demander_complement(
                demande=demande,
                by=agent,
                texte="Merci de joindre la liste de vos fournisseurs et les fiches techniques des produits.",
            )
            # Asked some days ago: the deadline is nearer than 30 days (the request and its history agree).
            jours = JOURS_RESTANTS[parcours]
            decalage = timedelta(days=30 - jours)
            Demande.objects.filter(pk=demande.pk).update(date_limite=demande.date_limite - decalage)
            trace = Evenement.objects.get(demande=demande, kind=Evenement.Kind.DEMANDE_COMPLEMENT)
            trace.payload["date_limite"] = (demande.date_limite - decalage).isoformat()
            Evenement.objects.filter(pk=trace.pk).update(
                created_at=trace.created_at - decalage, payload=trace.payload
            )
            return [demande]
        # « rejetee_puis_redeposee »: rejected, then filed again with the missing framework fixed.
        demande = services.rejeter(
            demande=demande,
            by=agent,
            motif="Le cadre préférentiel indiqué ne correspond pas aux marchandises exportées.",
        )
        nouvelle = services.soumettre(
            demande=self._brouillon(transitaire, agent, client, position, cadre), by=transitaire
        )
        return [demande, nouvelle]

    def _brouillon(self, transitaire, agent, client, position, cadre) -> Demande:
        """A complete draft for `client`, as the representative fills in the form."""
        demande = services.nouveau_brouillon(by=transitaire)
        demande.titulaire = client
        demande.bureau = agent.service
        demande.telephone = "04 90 00 00 00"
        demande.courriel = f"export@{client.eori.lower()}.exemple.fr"
        demande.activite = "production"
        demande.engagement = True
        demande.engagement_nom = "Marc Martin"
        demande.engagement_fonction = "Déclarant en douane"
        demande.engagement_lieu = "Marseille"
        demande.consentement_publication = True
        demande = services.creer_brouillon(by=transitaire, demande=demande)
        Contact.objects.create(
            demande=demande,
            nom="Roux",
            prenom="Julie",
            fonction="Responsable export",
            telephone="04 90 00 00 01",
            courriel=f"julie.roux@{client.eori.lower()}.exemple.fr",
        )
        LigneMarchandise.objects.create(demande=demande, code=position.code, description="Produits régionaux")
        demande.cadres.add(cadre)
        return demande
