"""The API's portal checks: which side the token's user is on, and the token's scope for writes."""

from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.access import peut_utiliser_api


class Operateur(BasePermission):
    """A certified and habilitated operator (or customs representative)."""

    message = (
        "Cette opération est réservée aux opérateurs et représentants en douane : un agent des douanes "
        "consulte la file de son service (/api/v1/agent/file/)."
    )

    def has_permission(self, request, view):
        return peut_utiliser_api(request.user) and not request.user.est_agent


class Agent(BasePermission):
    """A customs officer. Anyone else is told nothing of the back-office: a 404, as on the portal."""

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False  # a 401: authenticate first
        if not (peut_utiliser_api(request.user) and request.user.est_agent):
            raise NotFound()
        return True


class Utilisateur(BasePermission):
    """Any account that may use the API (operator or officer)."""

    def has_permission(self, request, view):
        return peut_utiliser_api(request.user)


class PorteeEcriture(BasePermission):
    """A write needs a token of scope « écriture »; reads need any."""

    message = "Ce jeton est en lecture seule : créez un jeton de portée « écriture » pour cette opération."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return request.auth is not None and getattr(request.auth, "ecriture", False)
