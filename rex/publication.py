"""What the public may know of a REX registration (guide §1.2, §5.2.7, §7.1): the public check and the
export to the EU REX database. Pure reads.

`donnees_publiques` is the only place that decides what is public. Without the holder's consent, only the
REX number, the date from which it is valid and, if any, its revocation date are made public.
"""

import csv
import io
import json
import re
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone

from rex.models import STATUTS_AUTORISATIONS, Demande
from rex.verification import verifier_code

VALIDE = "valide"
REVOQUE = "révoqué"

FORMATS = ("json", "csv")
COLONNES_CSV = (
    "numero_rex",
    "statut",
    "date_validite",
    "revoquee_le",
    "raison_sociale",
    "adresse",
    "contacts",
    "marchandises",
    "cadres",
)
SEPARATEUR = " | "  # between the items of one CSV cell (contacts, goods, frameworks)
TAILLE_LOT = 500  # rows per query (and per prefetch) while streaming the export

# A cell that a spreadsheet would read as a formula is prefixed with an apostrophe (CSV injection).
_DEBUT_FORMULE = ("=", "+", "-", "@", "\t", "\r")


def normaliser_numero(texte: str) -> str:
    """« frrex fr 1234… » → « FRREXFR1234… »: spaces, dashes and dots dropped, upper case."""
    return re.sub(r"[\s.\-]", "", texte or "").upper()


def normaliser_code(texte: str) -> str:
    """« abcde fghij » or « ABCDEFGHIJ » → « ABCDE-FGHIJ », the form printed on the PDF."""
    code = re.sub(r"[\s.\-]", "", texte or "").upper()
    return f"{code[:5]}-{code[5:]}" if len(code) == 10 else code


def _courants() -> QuerySet[Demande]:
    """Current versions of registrations; a « Version antérieure » never is one."""
    return Demande.objects.filter(statut__in=STATUTS_AUTORISATIONS).exclude(numero_rex="")


def enregistrement_courant(numero_rex: str) -> Demande | None:
    """The current version of the registration with that REX number (one query), or None."""
    numero_rex = normaliser_numero(numero_rex)
    if not numero_rex:
        return None
    return _courants().filter(numero_rex=numero_rex).order_by("-version", "-pk").first()


def donnees_publiques(demande: Demande, *, aujourd_hui=None) -> dict:
    """The public data of a current registration: this function alone decides what is public.

    Always the REX number, « valide » / « révoqué » on that day (a revocation decided with a later date
    leaves the number valid until then), the validity date and the revocation date; the name,
    address, contacts, goods and preferential frameworks only when the holder consented to publication
    (rubrique 7). Reads contacts, goods and frameworks through `.all()`, so a prefetch is used.
    """
    donnees = {
        "numero_rex": demande.numero_rex,
        "statut": REVOQUE if demande.revoquee_au(aujourd_hui or timezone.localdate()) else VALIDE,
        "date_validite": demande.date_validite,
        "revoquee_le": demande.revoquee_le,
    }
    if demande.consentement_publication is not True:
        return donnees
    donnees.update(
        raison_sociale=demande.titulaire_raison_sociale,
        adresse=demande.titulaire_adresse,
        contacts=[
            {
                "nom": contact.nom,
                "prenom": contact.prenom,
                "telephone": contact.telephone,
                "courriel": contact.courriel,
            }
            for contact in demande.contacts.all()
        ],
        marchandises=[
            {"code": ligne.code, "description": ligne.description} for ligne in demande.marchandises.all()
        ],
        cadres=[{"code": cadre.code, "libelle": cadre.libelle} for cadre in demande.cadres.all()],
    )
    return donnees


def controler_code(demande: Demande, code: str) -> str:
    """The verification code printed on a PDF, against the current version of the registration.

    « conforme »: the code of the current version; « anterieur »: the code of a former version (the data
    changed since that PDF); « non_conforme »: neither. No query: the code is an HMAC.
    """
    code = normaliser_code(code)
    if verifier_code(demande.numero_rex, demande.version, code):
        return "conforme"
    if any(verifier_code(demande.numero_rex, v, code) for v in range(1, demande.version)):
        return "anterieur"
    return "non_conforme"


# ---------------------------------------------------------------- export to the EU REX database
def _donnees_courantes() -> Iterator[dict]:
    """Every current registration, public data applied; a constant number of queries per batch."""
    demandes = (
        _courants()
        .order_by("numero_rex", "pk")
        .prefetch_related("contacts", "marchandises", "cadres")
        .iterator(chunk_size=TAILLE_LOT)
    )
    for demande in demandes:
        yield donnees_publiques(demande)


def _json(valeur):
    return valeur.isoformat() if hasattr(valeur, "isoformat") else valeur


def _exporter_json() -> Iterator[str]:
    yield "["
    for i, donnees in enumerate(_donnees_courantes()):
        ligne = json.dumps({cle: _json(valeur) for cle, valeur in donnees.items()}, ensure_ascii=False)
        yield ("," if i else "") + "\n" + ligne
    yield "\n]\n"


def _cellule(valeur) -> str:
    texte = "" if valeur is None else str(valeur)
    return "'" + texte if texte.startswith(_DEBUT_FORMULE) else texte


def _contact(contact: dict) -> str:
    """« Claire Durand (01 23 45 67 89, claire.durand@exemple.fr) »."""
    nom = " ".join(filter(None, [contact["prenom"], contact["nom"]]))
    coordonnees = ", ".join(filter(None, [contact["telephone"], contact["courriel"]]))
    return f"{nom} ({coordonnees})" if coordonnees else nom


def _ligne_csv(donnees: dict) -> list[str]:
    contacts = [_contact(c) for c in donnees.get("contacts", [])]
    marchandises = [f"{m['code']}:{m['description']}" for m in donnees.get("marchandises", [])]
    cadres = [c["libelle"] for c in donnees.get("cadres", [])]
    valeurs = {
        **donnees,
        "date_validite": _json(donnees["date_validite"]),
        "revoquee_le": _json(donnees["revoquee_le"]),
        "contacts": SEPARATEUR.join(contacts),
        "marchandises": SEPARATEUR.join(marchandises),
        "cadres": SEPARATEUR.join(cadres),
    }
    return [_cellule(valeurs.get(colonne)) for colonne in COLONNES_CSV]


def _exporter_csv() -> Iterator[str]:
    tampon = io.StringIO()
    writer = csv.writer(tampon)

    def ligne(valeurs) -> str:
        tampon.seek(0)
        tampon.truncate()
        writer.writerow(valeurs)
        return tampon.getvalue()

    yield ligne(COLONNES_CSV)
    for donnees in _donnees_courantes():
        yield ligne(_ligne_csv(donnees))


def exporter(format: str) -> Iterator[str]:
    """Every current registration as JSON (a list of objects) or CSV (one row each), in chunks of text.

    Lazy: the queries run while the result is consumed (streamed to a response or a file).
    """
    if format == "json":
        return _exporter_json()
    if format == "csv":
        return _exporter_csv()
    raise ValueError(f"Format d'export inconnu : {format!r} (json ou csv).")
