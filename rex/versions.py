"""The versions of a registration (guide §7.2): reads shared by the operator's and the officer's pages."""

from rex.models import Demande, Statut
from rex.services.modification import differences


def versions(visibles, demande: Demande) -> list[Demande]:
    """The chain of versions of `demande` among the requests `visibles` (a queryset scoped to the
    user), oldest first; empty when there is only one. One query: the chain is walked in memory."""
    candidats = {
        d.pk: d
        for d in visibles.filter(titulaire_id=demande.titulaire_id)
        .exclude(statut__in=[Statut.BROUILLON, Statut.REJETEE])
        .order_by("created_at")
    }
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
