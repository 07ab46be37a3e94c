"""Rows in bulk for the tests of pages at volume: a service's queue of N requests, a request with N rows.

Written straight to the database (bulk_create), as the queue and the request page read them: what is
measured is the pages' reads, not the services that wrote the rows.
"""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rex.models import Contact, Demande, Document, Evenement, LigneMarchandise, Message, Statut
from tests.factories import CadrePreferentielFactory, UserFactory

# The kinds of request of a queue, one after the other (the rank modulo their number).
GENRES = (
    {"statut": Statut.INCOMPLETE, "jours": -3, "a_l_agent": True, "nom": "Vignobles Durand"},  # overdue
    {"statut": Statut.INCOMPLETE, "jours": 3, "a_l_agent": False, "nom": "Maison Martin"},  # due soon
    {"statut": Statut.EN_ETUDE, "jours": None, "a_l_agent": True, "nom": "Fromagerie Petit"},
    {"statut": Statut.EN_ETUDE, "jours": None, "a_l_agent": False, "nom": "Brasserie Roux"},
    {"statut": Statut.OCTROYEE, "jours": None, "a_l_agent": True, "nom": "Coutellerie Morel"},
    {"statut": Statut.INCOMPLETE, "jours": 20, "a_l_agent": False, "nom": "Distillerie Blanc"},
)
DURAND, PROCHE, A_MOI_EN_ETUDE, LIBRE_EN_ETUDE = 0, 1, 2, 3


def numero(rang: int) -> str:
    return f"FR-REX-2026-{rang:05d}"


def eori(rang: int) -> str:
    return f"FR{rang + 1:012d}"


def file_de(service, nombre: int, *, agent, debut: int = 0) -> list[Demande]:
    """`nombre` submitted requests of `service`, of the kinds GENRES from rank `debut`, each with its own
    number and EORI, last updated in the order of their rank (the latest last)."""
    createur = UserFactory()
    maintenant = timezone.now()
    demandes = []
    for rang in range(debut, debut + nombre):
        genre = GENRES[rang % len(GENRES)]
        jours = genre["jours"]
        demandes.append(
            Demande(
                statut=genre["statut"],
                numero=numero(rang),
                service=service,
                bureau=service,
                titulaire_eori=eori(rang),
                titulaire_raison_sociale=f"{genre['nom']} {rang}",
                agent=agent if genre["a_l_agent"] else None,
                date_limite=maintenant + datetime.timedelta(days=jours) if jours is not None else None,
                created_by=createur,
                soumise_le=maintenant,
            )
        )
    return Demande.objects.bulk_create(demandes)


def garnir(demande: Demande, nombre: int) -> None:
    """`nombre` contacts, goods rows, documents, messages and events on the request, and as many
    preferential frameworks (up to 5)."""
    auteur = demande.created_by
    Contact.objects.bulk_create(
        Contact(
            demande=demande,
            ordre=i,
            nom=f"Nom {i}",
            prenom="Claire",
            fonction="Export",
            telephone="0102030405",
            courriel=f"c{i}@exemple.fr",
        )
        for i in range(nombre)
    )
    LigneMarchandise.objects.bulk_create(
        LigneMarchandise(demande=demande, ordre=i, code="2204", description=f"Vins {i}")
        for i in range(nombre)
    )
    Document.objects.bulk_create(
        Document(
            demande=demande,
            nom=f"Pièce {i}",
            fichier=f"demandes/{demande.pk}/{i:032x}",
            nom_original=f"piece-{i}.pdf",
            type_mime="application/pdf",
            taille=1000 + i,
            ajoute_par=auteur,
        )
        for i in range(nombre)
    )
    Message.objects.bulk_create(
        Message(demande=demande, auteur=auteur, cote=Message.Cote.OPERATEUR, texte=f"Message {i}")
        for i in range(nombre)
    )
    Evenement.objects.bulk_create(
        Evenement(demande=demande, acteur=auteur, kind=Evenement.Kind.MESSAGE, commentaire=f"Événement {i}")
        for i in range(nombre)
    )
    demande.cadres.add(*(CadrePreferentielFactory() for _ in range(min(nombre, 5))))


def requetes(client, url, params=None) -> int:
    """The SQL queries of a GET (after one GET that warms the per-process caches)."""
    assert client.get(url, params).status_code == 200
    with CaptureQueriesContext(connection) as capturees:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(capturees)
