"""`Authorization: Bearer srex_…`: the only way into the API (no session, hence no CSRF question)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api.selectors import jeton_authentifie
from api.services import noter_usage

MESSAGE_INVALIDE = "Jeton d'accès invalide, expiré ou révoqué, ou compte sans droit d'accès à l'API."
MESSAGE_ENTETE = "En-tête Authorization invalide : « Authorization: Bearer <jeton> » est attendu."


class JetonAuthentication(BaseAuthentication):
    """request.user is the token's user, request.auth the token (its scope, its id for throttling)."""

    mot_cle = b"bearer"

    def authenticate(self, request):
        # Locals holding the token are named `authorization` and `token`: names that Sentry scrubs from
        # an error report (its own list, and soprano.observabilite's).
        authorization = get_authorization_header(request).split()
        if not authorization or authorization[0].lower() != self.mot_cle:
            return None
        if len(authorization) != 2:
            raise exceptions.AuthenticationFailed(MESSAGE_ENTETE)
        try:
            token = authorization[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(MESSAGE_ENTETE) from exc
        jeton = jeton_authentifie(token)
        if jeton is None:
            raise exceptions.AuthenticationFailed(MESSAGE_INVALIDE)
        noter_usage(jeton)
        return jeton.user, jeton

    def authenticate_header(self, request):
        # Makes an unauthenticated request a 401 (with WWW-Authenticate), not a 403.
        return 'Bearer realm="api"'


class JetonAuthenticationSchema(OpenApiAuthenticationExtension):
    target_class = "api.authentication.JetonAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "srex_…",
            "description": "Jeton d'accès personnel, créé depuis la page « Jetons d'accès » du portail.",
        }
