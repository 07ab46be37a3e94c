"""Whether a stored request is complete, as « Valider et passer à l'étape suivante » requires (guide §5.2).

The rules of the strict form read on the stored data, below both the forms and the services: the services
refuse an incomplete request with it (submission, complement, modification), the forms show the same rules
on their fields (rex.forms, from the same lists and validators of rex.regles). tests/rex/test_completude.py
checks, over random requests, that both say the same.
"""

import re

from django.core.exceptions import ValidationError

from rex import selectors
from rex.models import Activite, Chapitre, Demande, PositionTarifaire
from rex.regles import (
    CHAMPS_CONTACT_OBLIGATOIRES,
    CHAMPS_DEMANDE_OBLIGATOIRES,
    CHAMPS_MARCHANDISE_OBLIGATOIRES,
    CHAMPS_REPRESENTANT,
    FORMATS_CONTACT,
    FORMATS_DEMANDE,
    MOTIF_CODE_SH,
)


def manquements(demande: Demande) -> list[str]:
    """What keeps the request from being submitted, by field (« rubrique.champ »); empty when complete.

    Every rubrique, a registration's modification included (it is a whole copy of the registration).
    """
    return _demande(demande) + _contacts(demande) + _marchandises(demande)


def est_complete(demande: Demande) -> bool:
    return not manquements(demande)


def _demande(demande: Demande) -> list[str]:
    representant = demande.representant
    obligatoires = [c for c in CHAMPS_DEMANDE_OBLIGATOIRES if representant or c not in CHAMPS_REPRESENTANT]
    # Once filed, the holder is fixed (rex.forms.DemandeDeposeeForm): no longer checked against the mandates.
    if not demande.est_brouillon and "titulaire" in obligatoires:
        obligatoires.remove("titulaire")
    manques = _champs(demande, obligatoires, FORMATS_DEMANDE if representant else _sans_representant())
    if demande.bureau_id and not demande.bureau.actif:
        manques.append("bureau")
    if demande.activite and demande.activite not in Activite.values:
        manques.append("activite")
    if not demande.engagement:
        manques.append("engagement")
    if demande.consentement_publication is None:
        manques.append("consentement_publication")
    if "titulaire" in obligatoires and demande.titulaire_id and not _client_sous_mandat(demande):
        manques.append("titulaire")
    # The holder the form checks: the one chosen in « Raison sociale » (a representative's draft), or the
    # request's own when nobody represents it; a filed request's holder is not checked again.
    titulaire = demande.titulaire if (representant is None or demande.est_brouillon) else None
    if titulaire is not None and selectors.demande_active_existe(titulaire, sauf=demande):
        manques.append("titulaire (un REX par EORI)")
    return manques


def _sans_representant() -> dict:
    return {champ: regle for champ, regle in FORMATS_DEMANDE.items() if champ not in CHAMPS_REPRESENTANT}


def _client_sous_mandat(demande: Demande) -> bool:
    return selectors.clients_representes(demande.representant).filter(pk=demande.titulaire_id).exists()


def _champs(demande: Demande, obligatoires, formats: dict) -> list[str]:
    manques = []
    for champ in obligatoires:
        if champ == "cadres":
            cadres = list(demande.cadres.all())
            if not cadres or not all(cadre.actif for cadre in cadres):
                manques.append("cadres")
        elif champ == "engagement":
            continue  # a box to tick: checked apart
        elif getattr(demande, f"{champ}_id" if champ in ("bureau", "titulaire") else champ) in (None, ""):
            manques.append(champ)
    for champ, valider in formats.items():
        valeur = getattr(demande, champ)
        if valeur and not _valide(valider, valeur):
            manques.append(champ)
    return manques


def _valide(valider, valeur) -> bool:
    try:
        valider(valeur)
    except ValidationError:
        return False
    return True


def _contacts(demande: Demande) -> list[str]:
    contacts = list(demande.contacts.all())
    if not contacts:
        return ["contacts"]
    manques = []
    for n, contact in enumerate(contacts, start=1):
        for champ in CHAMPS_CONTACT_OBLIGATOIRES:
            if not getattr(contact, champ):
                manques.append(f"contacts.{n}.{champ}")
        for champ, valider in FORMATS_CONTACT.items():
            valeur = getattr(contact, champ)
            if valeur and not _valide(valider, valeur):
                manques.append(f"contacts.{n}.{champ}")
    return manques


def _marchandises(demande: Demande) -> list[str]:
    lignes = list(demande.marchandises.all())
    if not lignes:
        return ["marchandises"]
    manques = []
    codes = [re.sub(r"[\s.]", "", ligne.code or "") for ligne in lignes]
    chapitres = set(Chapitre.objects.filter(code__in=codes).values_list("code", flat=True))
    positions = set(PositionTarifaire.objects.filter(code__in=codes).values_list("code", flat=True))
    entiers = {code for code in codes if re.fullmatch(MOTIF_CODE_SH, code) and len(code) == 2}
    vus: set[str] = set()
    for n, (ligne, code) in enumerate(zip(lignes, codes, strict=True), start=1):
        for champ in CHAMPS_MARCHANDISE_OBLIGATOIRES:
            if not getattr(ligne, champ):
                manques.append(f"marchandises.{n}.{champ}")
        if not code:
            continue
        if (
            not re.fullmatch(MOTIF_CODE_SH, code)
            or (len(code) == 2 and code not in chapitres)
            or (len(code) == 4 and code not in positions)
            or (len(code) == 4 and code[:2] in entiers)
            or code in vus
        ):
            manques.append(f"marchandises.{n}.code")
        vus.add(code)
    return manques
