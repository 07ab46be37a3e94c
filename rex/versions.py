"""The versions of a registration (guide §7.2): reads shared by the operator's and the officer's pages."""

from rex.models import STATUTS_EN_INSTRUCTION, STATUTS_IMPRIMABLES, Demande, Statut
from rex.regles import CHAMPS_MODIFIABLES, valeurs_contact, valeurs_marchandise

# A version of a registration is a request of its holder in one of these statuses: a registration (current,
# revoked or former) or its modification being instructed.
STATUTS_VERSIONS = (*STATUTS_EN_INSTRUCTION, *STATUTS_IMPRIMABLES)


def _lignes(demande: Demande) -> dict:
    return {
        "courriel": demande.courriel,
        "contacts": [valeurs_contact(c) for c in demande.contacts.all()],
        "marchandises": [valeurs_marchandise(m) for m in demande.marchandises.all()],
        # .all(): the frameworks a page prefetched are not read again.
        "cadres": sorted(cadre.libelle for cadre in demande.cadres.all()),
    }


def differences(modification: Demande) -> dict[str, bool]:
    """Which modifiable parts differ from the registration (the recap shows them in orange; the
    submission of a modification that changes nothing is refused)."""
    avant = _lignes(modification.version_precedente)
    apres = _lignes(modification)
    return {champ: avant[champ] != apres[champ] for champ in CHAMPS_MODIFIABLES}


def versions(visibles, demande: Demande) -> list[Demande]:
    """The chain of versions of `demande` among the requests `visibles` (a queryset scoped to the
    user), oldest first; empty when there is only one. One query: the chain is walked in memory."""
    return chaine_des_versions(
        visibles.filter(titulaire_id=demande.titulaire_id, statut__in=STATUTS_VERSIONS).order_by(
            "created_at"
        ),
        demande,
    )


def chaine_des_versions(candidats, demande: Demande) -> list[Demande]:
    """The chain of versions of `demande` among `candidats`, its holder's requests in
    STATUTS_VERSIONS, by creation (rows already read): no query."""
    candidats = {d.pk: d for d in candidats if d.statut in STATUTS_VERSIONS}
    candidats[demande.pk] = demande
    chaine = [demande]
    courante = demande
    while courante.version_precedente_id in candidats:
        courante = candidats[courante.version_precedente_id]
        chaine.insert(0, courante)
    suivantes = {}
    for d in candidats.values():
        if d.version_precedente_id:
            suivantes[d.version_precedente_id] = d  # the latest by creation wins
    courante = demande
    while courante.pk in suivantes and suivantes[courante.pk] not in chaine:
        courante = suivantes[courante.pk]
        chaine.append(courante)
    return chaine if len(chaine) > 1 else []


def modification_en_cours(visibles, demande: Demande) -> Demande | None:
    """The modification of the registration `demande` being instructed, among the requests `visibles`
    (a queryset scoped to the user), or None: one query, only for a registration in « Modification
    demandée »."""
    if demande.statut != Statut.MODIFICATION_DEMANDEE:
        return None
    return (
        visibles.filter(version_precedente_id=demande.pk, statut__in=STATUTS_EN_INSTRUCTION)
        .order_by("-created_at")
        .first()
    )


def modification_parmi(candidats, demande: Demande) -> Demande | None:
    """modification_en_cours among `candidats`, its holder's requests already read: no query."""
    if demande.statut != Statut.MODIFICATION_DEMANDEE:
        return None
    en_cours = [
        d for d in candidats if d.version_precedente_id == demande.pk and d.statut in STATUTS_EN_INSTRUCTION
    ]
    return max(en_cours, key=lambda d: d.created_at, default=None)


def marques(modification: Demande, recap: dict) -> dict:
    """The orange marks of the recap: the changed rubriques, the new or changed rows, the removed ones."""
    precedente = modification.version_precedente
    if precedente is None:
        return {}

    marques = {"modifie": differences(modification)}
    for cle, lignes, anciennes, valeur in (
        ("contacts", recap["contacts_lignes"], list(precedente.contacts.all()), valeurs_contact),
        (
            "marchandises",
            recap["marchandises_lignes"],
            list(precedente.marchandises.all()),
            valeurs_marchandise,
        ),
        ("cadres", recap["cadres"], list(precedente.cadres.all()), lambda c: c.pk),
    ):
        avant = {valeur(ligne) for ligne in anciennes}
        apres = {valeur(ligne) for ligne in lignes}
        for ligne in lignes:
            ligne.modifie = valeur(ligne) not in avant
        marques[f"{cle}_supprimes"] = [ligne for ligne in anciennes if valeur(ligne) not in apres]
    return marques
