"""Who may hold an API token: the predicate checked when a token is created and at each of its requests."""

MESSAGE_SANS_DROIT = (
    "Les jetons d'accès sont réservés aux comptes certifiés et habilités au téléservice SOPRANO, et aux "
    "agents des douanes."
)
MESSAGE_AGENT_ECRITURE = "Un agent des douanes ne peut créer qu'un jeton en lecture seule."


def peut_utiliser_api(user) -> bool:
    """An active account that may use the portal today: a certified and habilitated operator, or a
    customs officer. A token stops working as soon as its user no longer may."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.est_agent or user.est_habilite


def peut_ecrire(user) -> bool:
    """Officers read their queue through the API; only operators get write tokens."""
    return peut_utiliser_api(user) and not user.est_agent
