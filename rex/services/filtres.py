"""« Mes filtres »: an officer's saved filters of the queue."""

from django.db import IntegrityError, transaction

from accounts.models import User
from rex.models import FILTRES_PAR_AGENT, FiltreEnregistre
from rex.services.base import ActionRefusee, texte_saisi

LIMITE_ATTEINTE = (
    f"Vous avez déjà {FILTRES_PAR_AGENT} filtres enregistrés : supprimez-en un avant d'en enregistrer "
    "un autre."
)

AUCUN_FILTRE = (
    "Aucun filtre à enregistrer : choisissez d'abord un statut, un agent, une échéance ou une recherche."
)


def nom_pris(nom: str) -> str:
    return f"Vous avez déjà un filtre nommé « {nom} » : choisissez un autre nom."


@transaction.atomic
def enregistrer_filtre(*, by: User, nom: str, parametres: str) -> FiltreEnregistre:
    """`parametres`: the queue's filters as a query string, already cleaned (rex.forms_agent).

    The name and the cap are checked under a lock on the officer's row, so that two tabs cannot pass
    them together (the unique constraint stays the last word on the name).
    """
    nom = texte_saisi(nom, "Le nom du filtre")
    if not parametres:
        raise ActionRefusee(AUCUN_FILTRE)
    User.objects.select_for_update().filter(pk=by.pk).first()
    if FiltreEnregistre.objects.filter(user=by, nom=nom).exists():
        raise ActionRefusee(nom_pris(nom))
    if FiltreEnregistre.objects.filter(user=by).count() >= FILTRES_PAR_AGENT:
        raise ActionRefusee(LIMITE_ATTEINTE)
    try:
        with transaction.atomic():
            return FiltreEnregistre.objects.create(user=by, nom=nom, parametres=parametres)
    except IntegrityError as exc:
        raise ActionRefusee(nom_pris(nom)) from exc


def supprimer_filtre(*, filtre: FiltreEnregistre, by: User) -> None:
    if filtre.user_id != by.pk:
        raise ActionRefusee("Ce filtre n'est pas le vôtre.")
    filtre.delete()
