"""Object permissions go to groups: one per company, one per customs service (django-guardian).

A user belongs to the group of his company or of his service; whoever changes those (the PAE in the
admin, the demo loader) calls `synchroniser_groupes`, so that access follows the account.
"""

from django.contrib.auth.models import Group

PREFIXES = ("entreprise-", "service-")


def nom_groupe_entreprise(entreprise_id: int) -> str:
    return f"entreprise-{entreprise_id}"


def nom_groupe_service(service_id: int) -> str:
    return f"service-{service_id}"


def groupe(nom: str) -> Group:
    return Group.objects.get_or_create(name=nom)[0]


def synchroniser_groupes(user) -> None:
    voulus = set()
    if user.entreprise_id:
        voulus.add(nom_groupe_entreprise(user.entreprise_id))
    if user.service_id:
        voulus.add(nom_groupe_service(user.service_id))
    actuels = {g.name: g for g in user.groups.all() if g.name.startswith(PREFIXES)}
    retirer = [g for nom, g in actuels.items() if nom not in voulus]
    if retirer:
        user.groups.remove(*retirer)
    ajouter = [groupe(nom) for nom in voulus - set(actuels)]
    if ajouter:
        user.groups.add(*ajouter)
