"""Every write on a request. Views, admin, tasks and commands call these, never the models directly."""

from rex.services.base import ActionRefusee
from rex.services.depot import (
    ajouter_document,
    creer_brouillon,
    creer_depot_papier,
    enregistrer_formulaire,
    nouveau_brouillon,
    prochain_numero,
    refus_soumission,
    soumettre,
    supprimer_document,
)
from rex.services.filtres import enregistrer_filtre, supprimer_filtre
from rex.services.groupe import en_groupe
from rex.services.instruction import (
    abandonner,
    annuler_revocation,
    demander_complement,
    dupliquer,
    ecrire,
    octroyer,
    prendre_en_charge,
    reaffecter,
    rejeter,
    revoquer,
    transmettre_complement,
)
from rex.services.modification import (
    preparer_modification,
    soumettre_modification,
    valider_modification,
)
from rex.services.rejet_automatique import rejeter_delais_depasses
from rex.services.relances import relancer_echeances

__all__ = [
    "ActionRefusee",
    "abandonner",
    "annuler_revocation",
    "ajouter_document",
    "creer_brouillon",
    "creer_depot_papier",
    "demander_complement",
    "dupliquer",
    "en_groupe",
    "enregistrer_filtre",
    "ecrire",
    "enregistrer_formulaire",
    "nouveau_brouillon",
    "octroyer",
    "preparer_modification",
    "prendre_en_charge",
    "prochain_numero",
    "reaffecter",
    "refus_soumission",
    "rejeter",
    "rejeter_delais_depasses",
    "relancer_echeances",
    "revoquer",
    "soumettre",
    "soumettre_modification",
    "supprimer_filtre",
    "supprimer_document",
    "transmettre_complement",
    "valider_modification",
]
