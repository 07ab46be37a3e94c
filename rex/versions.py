"""The versions of a registration (guide §7.2): reads shared by the operator's and the officer's pages."""

from rex.models import Demande, Statut
from rex.services.modification import differences

# A version of a registration is a request of its holder in none of these statuses.
STATUTS_HORS_VERSIONS = (Statut.BROUILLON, Statut.REJETEE)


def versions(visibles, demande: Demande) -> list[Demande]:
    """The chain of versions of `demande` among the requests `visibles` (a queryset scoped to the
    user), oldest first; empty when there is only one. One query: the chain is walked in memory."""
    return chaine_des_versions(
        visibles.filter(titulaire_id=demande.titulaire_id)
        .exclude(statut__in=STATUTS_HORS_VERSIONS)
        .order_by("created_at"),
        demande,
    )


def chaine_des_versions(candidats, demande: Demande) -> list[Demande]:
    """The chain of versions of `demande` among `candidats`, its holder's requests in none of
    STATUTS_HORS_VERSIONS, by creation (rows already read): no query."""
    candidats = {d.pk: d for d in candidats if d.statut not in STATUTS_HORS_VERSIONS}
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


STATUTS_EN_INSTRUCTION = (Statut.EN_ETUDE, Statut.INCOMPLETE)


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

    def contact(c):
        return (c.nom, c.prenom, c.fonction, c.telephone, c.fax, c.courriel)

    def marchandise(m):
        return (m.code, m.description)

    marques = {"modifie": differences(modification)}
    for cle, lignes, anciennes, valeur in (
        ("contacts", recap["contacts_lignes"], list(precedente.contacts.all()), contact),
        ("marchandises", recap["marchandises_lignes"], list(precedente.marchandises.all()), marchandise),
        ("cadres", recap["cadres"], list(precedente.cadres.all()), lambda c: c.pk),
    ):
        avant = {valeur(ligne) for ligne in anciennes}
        apres = {valeur(ligne) for ligne in lignes}
        for ligne in lignes:
            ligne.modifie = valeur(ligne) not in avant
        marques[f"{cle}_supprimes"] = [ligne for ligne in anciennes if valeur(ligne) not in apres]
    return marques
