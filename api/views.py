"""The REST API (/api/v1/): thin doors onto the same selectors, dossier reads, action registry, document
and PDF helpers as the portal's pages, so that a token sees exactly what its user sees there.

Another company's (or another service's) request is a 404, never a 403.
"""

from urllib.parse import urlencode

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import MethodNotAllowed, NotAcceptable, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotence import ENTETE as ENTETE_IDEMPOTENCE
from api.idempotence import LONGUEUR_MAX as LONGUEUR_MAX_CLE
from api.idempotence import MOTIF_CLE, idempotent
from api.permissions import Agent, Operateur, PorteeEcriture, Utilisateur
from api.problemes import TYPE_PROBLEME, reponse_probleme
from api.schema import (
    EN_COURS,
    ERREURS_LECTURE,
    ERREURS_OBJET,
    EXEMPLE_DEMANDE,
    EXEMPLE_DETAIL,
    FICHIER,
    probleme_documente,
)
from api.serializers import (
    DemandeResumeSerializer,
    DemandeSerializer,
    FiltresFileSerializer,
    FiltresOperateurSerializer,
    MessageSerializer,
    MoiSerializer,
    NomenclatureSerializer,
    PageDemandesSerializer,
    PaginationSerializer,
    RechercheNomenclatureSerializer,
)
from rex import actions, pagination, pdf, selectors, services
from rex.documents import servir_document
from rex.dossier import lire as lire_dossier
from rex.models import Demande
from rex.nomenclature import chercher_nomenclature

PAR_PAGE = 25
RETRY_AFTER_PDF = pdf.RAFRAICHIR_S
LISTE_SELECT_RELATED = ("titulaire", "representant", "service")


# ------------------------------------------------------------------ pagination
def _parametres(request) -> dict[str, str]:
    """The query string as a plain dict: a value is checked as sent (DRF reads a QueryDict as an HTML
    form, where an empty value means « absent »: `taille=` would pass unchecked). Every parameter of the
    API takes one value: one given twice is refused (a 400 problem), not read as its last value."""
    repetes = sorted(nom for nom, valeurs in request.query_params.lists() if len(valeurs) > 1)
    if repetes:
        message = "Le paramètre « {} » n'est attendu qu'une fois."
        raise ValidationError({nom: [message.format(nom)] for nom in repetes})
    return request.query_params.dict()


def _page(request, demandes, ordre: pagination.Ordre, route_detail: str) -> dict:
    """A page of requests by cursor (rex.pagination: keyset, one query), with the links of its
    neighbours; the filters are kept in the links."""
    parametres = PaginationSerializer(data=_parametres(request))
    parametres.is_valid(raise_exception=True)
    taille = parametres.validated_data.get("taille", PAR_PAGE)
    page = pagination.paginer(
        demandes,
        ordre,
        apres=parametres.validated_data.get("apres", ""),
        avant=parametres.validated_data.get("avant", ""),
        par_page=taille,
    )
    base = {k: v for k, v in request.query_params.items() if k not in ("apres", "avant")}

    def lien(**curseur) -> str:
        return request.build_absolute_uri(f"{request.path}?{urlencode({**base, **curseur})}")

    return {
        "resultats": DemandeResumeSerializer(
            page.lignes, many=True, context={"request": request, "route_detail": route_detail}
        ).data,
        "suivant": lien(apres=page.suivante) if page.suivante else None,
        "precedent": lien(avant=page.precedente) if page.precedente else None,
    }


def _detail(request, visibles, pk: int, *, routes: dict[str, str]) -> Response:
    """A request with everything its page shows, read in a constant number of queries (rex.dossier)."""
    dossier = lire_dossier(request.user, visibles, pk)
    demande = dossier.demande
    possibles = actions.actions_possibles(request.user, demande, dossier.verificateur)
    contexte = {"request": request, "actions": possibles, **routes}
    return Response(DemandeSerializer(demande, context=contexte).data)


def _autorisation(request, demande: Demande):
    """The registration's PDF; 409 before it is granted; 202 with Retry-After while a worker renders it
    (the portal's waiting page is HTML: the API answers a problem instead)."""
    refus = pdf.refus(demande)
    if refus:
        return reponse_probleme(request, 409, refus)
    fichier = pdf.ouvrir_autorisation(demande)
    if fichier is not None:
        return pdf.reponse_autorisation(demande, fichier)
    return reponse_probleme(
        request,
        202,
        "Le PDF de l'autorisation est en cours de génération : réessayez après le délai de l'en-tête "
        "Retry-After.",
        kind="generation-en-cours",
        title="Autorisation en cours de génération",
        headers={"Retry-After": str(RETRY_AFTER_PDF), "Cache-Control": "no-store"},
    )


class FichierNegociation(DefaultContentNegotiation):
    """A download answers its file whatever Accept says (application/pdf, */*): an error stays JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:  # the file's own type is what is served
            return renderers[0], renderers[0].media_type


class VueApi(APIView):
    """The API's views: once authenticated, a method the URL does not offer is a 405, whoever asks
    (before the side's check, which would answer 403 or 404). Every answer is the token's user's own:
    never kept by a shared cache."""

    def check_permissions(self, request):
        if request.user.is_authenticated and request.method not in self._allowed_methods():
            raise MethodNotAllowed(request.method)
        super().check_permissions(request)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        patch_vary_headers(response, ["Authorization"])
        return response


# ------------------------------------------------------------------ who am I
class Moi(VueApi):
    permission_classes = [Utilisateur]

    @extend_schema(
        operation_id="moi",
        tags=["Compte"],
        summary="Le compte et le jeton utilisés",
        description=(
            "L'utilisateur du jeton, son entreprise (ou son service), la portée et l'expiration du jeton."
        ),
        responses={200: MoiSerializer, **ERREURS_LECTURE},
    )
    def get(self, request):
        return Response(MoiSerializer(request.user, context={"request": request}).data)


# ------------------------------------------------------------------ operators and representatives
ROUTES_OPERATEUR = {
    "route_detail": "api:demande",
    "route_document": "api:document",
    "route_pdf": "api:autorisation",
}


class Demandes(VueApi):
    permission_classes = [Operateur]

    @extend_schema(
        operation_id="demandes_liste",
        tags=["Demandes"],
        summary="Mes demandes",
        description=(
            "Les demandes de l'entreprise (en tant que titulaire ou représentant en douane), de la plus "
            "récemment mise à jour à la plus ancienne, par pages de 25 (paramètre `taille`, 100 au plus). "
            "La pagination est par curseur : suivez le lien `suivant` jusqu'à ce qu'il soit null ; une page "
            "ne saute ni ne répète jamais une demande, même si des demandes changent entre deux appels."
        ),
        parameters=[FiltresOperateurSerializer, PaginationSerializer],
        responses={
            200: OpenApiResponse(
                PageDemandesSerializer,
                examples=[
                    OpenApiExample(
                        "Une page",
                        value={
                            "resultats": [EXEMPLE_DEMANDE],
                            "suivant": "https://soprano-rex.example/api/v1/demandes/?apres=m.1772438400000000.42",
                            "precedent": None,
                        },
                    )
                ],
            ),
            **probleme_documente(400, "Filtre invalide (voir « errors »)."),
            **ERREURS_LECTURE,
        },
    )
    def get(self, request):
        filtres = FiltresOperateurSerializer(data=_parametres(request))
        filtres.is_valid(raise_exception=True)
        donnees = filtres.validated_data
        demandes = selectors.demandes_accueil(
            request.user, q=donnees.get("q", ""), client=donnees.get("client", "")
        )
        if donnees.get("statut"):
            demandes = demandes.filter(statut=donnees["statut"])
        demandes = demandes.select_related(*LISTE_SELECT_RELATED)
        return Response(_page(request, demandes, selectors.ORDRE_MAJ, "api:demande"))


class DemandeDetail(VueApi):
    permission_classes = [Operateur]

    @extend_schema(
        operation_id="demandes_lire",
        tags=["Demandes"],
        summary="Une demande",
        description=(
            "La demande, ses rubriques, ses documents (avec leur adresse de téléchargement), son historique, "
            "son fil de discussion et les actions possibles maintenant. Une demande d'une autre entreprise "
            "répond 404."
        ),
        responses={
            200: OpenApiResponse(
                DemandeSerializer,
                examples=[OpenApiExample("Un enregistrement octroyé", value=EXEMPLE_DETAIL)],
            ),
            **ERREURS_OBJET,
        },
    )
    def get(self, request, pk: int):
        return _detail(request, selectors.demandes_operateur(request.user), pk, routes=ROUTES_OPERATEUR)


class Document(VueApi):
    permission_classes = [Operateur]
    content_negotiation_class = FichierNegociation

    @extend_schema(
        operation_id="demandes_document",
        tags=["Demandes"],
        summary="Télécharger un document",
        description="Le fichier, avec son type, en pièce jointe (Content-Disposition: attachment).",
        responses={(200, "*/*"): FICHIER, **ERREURS_OBJET},
    )
    def get(self, request, pk: int, document_pk: int):
        demande = get_object_or_404(selectors.demandes_formulaire(request.user), pk=pk)
        return servir_document(get_object_or_404(demande.documents, pk=document_pk))


class Autorisation(VueApi):
    permission_classes = [Operateur]
    content_negotiation_class = FichierNegociation

    @extend_schema(
        operation_id="demandes_autorisation",
        tags=["Demandes"],
        summary="PDF de l'autorisation",
        description=(
            "L'autorisation d'exportateur enregistré, en PDF (guide §7.1). S'il n'est pas encore prêt, la "
            "réponse est 202 avec un en-tête Retry-After : rappelez la même adresse après ce délai. Une "
            "demande qui n'est pas (ou n'a pas été) un enregistrement octroyé répond 409."
        ),
        responses={
            (200, "application/pdf"): FICHIER,
            (202, TYPE_PROBLEME): EN_COURS,
            **probleme_documente(409, "L'enregistrement n'est pas octroyé."),
            **ERREURS_OBJET,
        },
    )
    def get(self, request, pk: int):
        demande = get_object_or_404(
            selectors.demandes_operateur(request.user).select_related("service", "representant"), pk=pk
        )
        return _autorisation(request, demande)


class Messages(VueApi):
    permission_classes = [Operateur, PorteeEcriture]

    @extend_schema(
        operation_id="demandes_ecrire",
        tags=["Demandes"],
        summary="Écrire dans le fil de discussion",
        description=(
            "Envoie un message au service en charge de la demande (guide §6.1) ; il est prévenu par courriel "
            "et le message apparaît dans l'historique. Jeton de portée « écriture ». Avec un en-tête "
            "`Idempotency-Key`, un nouvel envoi de la même requête (après une coupure réseau) rejoue la "
            "première réponse sans écrire un second message."
        ),
        parameters=[
            OpenApiParameter(
                ENTETE_IDEMPOTENCE,
                {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": LONGUEUR_MAX_CLE,
                    "pattern": f"^{MOTIF_CLE.pattern}$",
                },
                OpenApiParameter.HEADER,
                required=False,
                description="Une clé unique par opération (un UUID par exemple), 255 caractères au plus.",
            )
        ],
        request=MessageSerializer,
        examples=[
            OpenApiExample(
                "Un message", value={"texte": "Bonjour, les statuts sont joints."}, request_only=True
            )
        ],
        responses={
            201: MessageSerializer,
            **probleme_documente(400, "Message vide ou trop long (voir « errors »)."),
            **probleme_documente(409, "Le message ne peut pas être envoyé au statut actuel de la demande."),
            **probleme_documente(422, "Clé d'idempotence déjà utilisée pour une autre requête."),
            **ERREURS_OBJET,
        },
    )
    @idempotent
    def post(self, request, pk: int):
        demande = get_object_or_404(selectors.demandes_formulaire(request.user), pk=pk)
        serializer = MessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        raison = actions.refus(request.user, demande, "ecrire_operateur")
        if raison:
            return reponse_probleme(request, 409, raison)
        try:
            message = services.ecrire(
                demande=demande, by=request.user, texte=serializer.validated_data["texte"]
            )
        except services.ActionRefusee as exc:
            return reponse_probleme(request, 409, str(exc))
        return Response(
            MessageSerializer(message).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": request.build_absolute_uri(reverse("api:demande", args=[demande.pk]))},
        )


# ------------------------------------------------------------------ reference data
class Nomenclature(VueApi):
    permission_classes = [Utilisateur]

    @extend_schema(
        operation_id="nomenclature",
        tags=["Référentiel"],
        summary="Rechercher dans la nomenclature SH",
        description=(
            "Chapitres et positions SH4, les meilleurs d'abord (30 au plus) : un code (« 22 », « 2204 », "
            "« 22.04 », « 22042110 ») ou des mots du libellé (« vins rouges »). Moins de deux caractères : "
            "une liste vide."
        ),
        parameters=[RechercheNomenclatureSerializer],
        responses={
            200: OpenApiResponse(
                NomenclatureSerializer(many=True),
                examples=[
                    OpenApiExample(
                        "Vins",
                        value=[
                            {
                                "code": "2204",
                                "libelle": "Vins de raisins frais, y compris les vins enrichis en alcool",
                                "kind": "position",
                            }
                        ],
                    )
                ],
            ),
            **probleme_documente(400),
            **ERREURS_LECTURE,
        },
    )
    def get(self, request):
        recherche = RechercheNomenclatureSerializer(data=_parametres(request))
        recherche.is_valid(raise_exception=True)
        resultats = chercher_nomenclature(recherche.validated_data["q"])
        return Response(NomenclatureSerializer(resultats, many=True).data)


# ------------------------------------------------------------------ customs officers (read only)
ROUTES_AGENT = {
    "route_detail": "api:agent_demande",
    "route_document": "api:agent_document",
    "route_pdf": "api:agent_autorisation",
}


class File(VueApi):
    permission_classes = [Agent]

    @extend_schema(
        operation_id="agent_file",
        tags=["Agents des douanes"],
        summary="La file du service",
        description=(
            "Les demandes déposées au service de l'agent, avec les filtres de la page « File des demandes » "
            "du back-office ; pagination par curseur (lien `suivant`). Réservé aux agents des douanes "
            "(404 pour les autres comptes)."
        ),
        parameters=[FiltresFileSerializer, PaginationSerializer],
        responses={200: PageDemandesSerializer, **probleme_documente(400), **ERREURS_OBJET},
    )
    def get(self, request):
        filtres = FiltresFileSerializer(data=_parametres(request))
        filtres.is_valid(raise_exception=True)
        valeurs = {nom: filtres.validated_data.get(nom, "") for nom in FiltresFileSerializer().fields}
        demandes = selectors.file_agent(request.user, **valeurs).select_related(*LISTE_SELECT_RELATED)
        return Response(_page(request, demandes, selectors.ordre_file(**valeurs), "api:agent_demande"))


class FileDemande(VueApi):
    permission_classes = [Agent]

    @extend_schema(
        operation_id="agent_demande",
        tags=["Agents des douanes"],
        summary="Une demande du service",
        description="En lecture seule ; une demande d'un autre service répond 404.",
        responses={200: DemandeSerializer, **ERREURS_OBJET},
    )
    def get(self, request, pk: int):
        return _detail(request, selectors.demandes_agent(request.user), pk, routes=ROUTES_AGENT)


class FileDocument(VueApi):
    permission_classes = [Agent]
    content_negotiation_class = FichierNegociation

    @extend_schema(
        operation_id="agent_document",
        tags=["Agents des douanes"],
        summary="Télécharger un document",
        description="Un document d'une demande du service, en pièce jointe ; d'un autre service : 404.",
        responses={(200, "*/*"): FICHIER, **ERREURS_OBJET},
    )
    def get(self, request, pk: int, document_pk: int):
        demande = get_object_or_404(selectors.demandes_agent(request.user), pk=pk)
        return servir_document(get_object_or_404(demande.documents, pk=document_pk))


class FileAutorisation(VueApi):
    permission_classes = [Agent]
    content_negotiation_class = FichierNegociation

    @extend_schema(
        operation_id="agent_autorisation",
        tags=["Agents des douanes"],
        summary="PDF de l'autorisation",
        description=(
            "L'autorisation d'un enregistrement du service, en PDF ; 202 avec Retry-After tant qu'il est en "
            "cours de génération, 409 si la demande n'est pas un enregistrement octroyé."
        ),
        responses={
            (200, "application/pdf"): FICHIER,
            (202, TYPE_PROBLEME): EN_COURS,
            **probleme_documente(409, "L'enregistrement n'est pas octroyé."),
            **ERREURS_OBJET,
        },
    )
    def get(self, request, pk: int):
        demande = get_object_or_404(
            selectors.demandes_agent(request.user).select_related("service", "representant"), pk=pk
        )
        return _autorisation(request, demande)
