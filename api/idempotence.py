"""`Idempotency-Key` for the POSTs that create something: a network failure never creates it twice.

A client that did not get the answer sends the same request again with the same key: the first answer
(status, body, Location) is replayed, marked `Idempotent-Replayed: true`, and nothing is created again.
The key is the user's own (two users never share one) and is remembered DUREE; the same key with another
body (or another URL) is a 422 problem; while the first request is still being processed, a 409.
Only a success (2xx) is remembered: after an error the same key may be sent again, with the request fixed.

Usage, on the handler of an APIView (after authentication, permissions and throttling):

    class Messages(APIView):
        @idempotent
        def post(self, request, pk): ...
"""

import hashlib
import re
from datetime import timedelta
from functools import wraps

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone

from rest_framework.exceptions import ValidationError

from api.models import ReponseIdempotente
from api.problemes import reponse_probleme

ENTETE = "Idempotency-Key"
DUREE = timedelta(hours=24)
# A first request still « being processed » after this long was lost (its process stopped): the key is
# free again.
ABANDON = timedelta(minutes=5)
LONGUEUR_MAX = 255
# Printable ASCII, no space at either end (the schema's pattern, api.views).
MOTIF_CLE = re.compile(r"[!-~]([ -~]*[!-~])?")
MESSAGE_CLE = (
    f"La clé d'idempotence compte de 1 à {LONGUEUR_MAX} caractères ASCII imprimables, sans espace au début "
    "ni à la fin."
)
ENTETES_REJOUES = ("Location",)


def _empreinte(request) -> str:
    """The request's method, path and raw body (read before DRF parses it)."""
    contenu = request.method.encode() + b" " + request.path.encode() + b"\n" + request._request.body
    return hashlib.sha256(contenu).hexdigest()


def _cle_valide(cle: str) -> bool:
    return len(cle) <= LONGUEUR_MAX and MOTIF_CLE.fullmatch(cle) is not None


def _reserver(request, cle: str, empreinte: str):
    """The new row holding the key, or the one that already holds it."""
    maintenant = timezone.now()
    ReponseIdempotente.objects.filter(
        Q(created_at__lt=maintenant - DUREE) | Q(statut__isnull=True, created_at__lt=maintenant - ABANDON),
        user=request.user,
    ).delete()
    try:
        with transaction.atomic():
            return ReponseIdempotente.objects.create(user=request.user, cle=cle, empreinte=empreinte), True
    except IntegrityError:
        return ReponseIdempotente.objects.get(user=request.user, cle=cle), False


def _rejouer(request, ligne: ReponseIdempotente, empreinte: str):
    if ligne.empreinte != empreinte:
        return reponse_probleme(
            request,
            422,
            "Cette clé d'idempotence a déjà servi pour une autre requête : utilisez une nouvelle clé pour "
            "chaque opération.",
        )
    if ligne.statut is None:
        return reponse_probleme(
            request,
            409,
            "Une requête avec cette clé d'idempotence est en cours de traitement : réessayez dans un "
            "instant.",
            kind="idempotence-en-cours",
            title="Requête en cours de traitement",
            headers={"Retry-After": "1"},
        )
    response = HttpResponse(bytes(ligne.corps), status=ligne.statut, content_type=ligne.type_contenu)
    for nom, valeur in ligne.entetes.items():
        response[nom] = valeur
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(handler):
    """Decorates an APIView's POST handler (see the module's docstring)."""

    @wraps(handler)
    def enveloppe(self, request, *args, **kwargs):
        cle = request.headers.get(ENTETE)
        if cle is None:
            return handler(self, request, *args, **kwargs)
        if not _cle_valide(cle):
            raise ValidationError({ENTETE: [MESSAGE_CLE]})
        empreinte = _empreinte(request)
        ligne, nouvelle = _reserver(request, cle, empreinte)
        if not nouvelle:
            return _rejouer(request, ligne, empreinte)
        try:
            response = handler(self, request, *args, **kwargs)
            response = self.finalize_response(request, response, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
        except BaseException:
            ligne.delete()
            raise
        if not 200 <= response.status_code < 300:
            ligne.delete()
            return response
        ligne.statut = response.status_code
        ligne.type_contenu = response.get("Content-Type", "")
        ligne.corps = response.content
        ligne.entetes = {nom: response[nom] for nom in ENTETES_REJOUES if response.has_header(nom)}
        ligne.save(update_fields=["statut", "type_contenu", "corps", "entetes"])
        return response

    return enveloppe
