"""The API's writes (tokens of scope « écriture »): file a request from an ERP as on the portal's pages.

The same doors as the pages: the request form is checked by the page's forms (api.formulaire), the
documents by the page's upload checks, the status changes by the same services and the same registry
(rex.actions) — there is no second path that changes a status. A draft is saved leniently, as with
« Reprendre plus tard »; the strict validation runs when it is submitted, with the errors of the page's
« Valider » keyed by JSON path.
"""

import hashlib
from functools import wraps

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import BureauDouane
from api import formulaire as formulaire_api
from api import views
from api.idempotence import ENTETE as ENTETE_IDEMPOTENCE
from api.idempotence import LONGUEUR_MAX as LONGUEUR_MAX_CLE
from api.idempotence import MOTIF_CLE, idempotent
from api.permissions import Operateur, PorteeEcriture, Utilisateur
from api.problemes import DETAIL_VALIDATION, reponse_probleme
from api.schema import probleme_documente as _probleme
from api.serializers import DemandeSerializer, DocumentSerializer
from api.serializers_ecriture import (
    BrouillonSerializer,
    BureauSerializer,
    CadreReferentielSerializer,
    ClientSerializer,
    ComplementSerializer,
    DocumentEcritureSerializer,
    SoumissionSerializer,
)
from rex import actions, selectors, services, validation
from rex.models import STATUTS_MODIFIABLES, CadrePreferentiel, Demande, Statut
from rex.services.base import texte_saisi

ERREURS_ECRITURE = {
    **views.ERREURS_OBJET,
    **_probleme(422, "Clé d'idempotence déjà utilisée pour une autre requête."),
}
CLE_IDEMPOTENCE = OpenApiParameter(
    ENTETE_IDEMPOTENCE,
    {"type": "string", "minLength": 1, "maxLength": LONGUEUR_MAX_CLE, "pattern": f"^{MOTIF_CLE.pattern}$"},
    OpenApiParameter.HEADER,
    required=False,
    description="Une clé unique par opération (un UUID par exemple), 255 caractères au plus : un nouvel "
    "envoi de la même requête avec la même clé rejoue la première réponse sans rien refaire.",
)
EXEMPLE_BROUILLON = {
    "bureau": 3,
    "telephone": "01 23 45 67 89",
    "courriel": "export@exemple.fr",
    "activite": "production",
    "cadres": [1, 2],
    "contacts": [
        {
            "nom": "Durand",
            "prenom": "Claire",
            "fonction": "Directrice export",
            "telephone": "01 23 45 67 89",
            "fax": "",
            "courriel": "claire.durand@exemple.fr",
        }
    ],
    "marchandises": [{"code": "2204", "description": "Vins rouges"}],
    "engagement": True,
    "engagement_nom": "Claire Durand",
    "engagement_fonction": "Directrice export",
    "engagement_lieu": "Lyon",
    "consentement_publication": True,
}
INCOMPLETE = "Votre demande est incomplète : complétez les champs indiqués."
INCOMPLETE_MODIFICATION = "Votre demande de modification est incomplète : complétez les champs indiqués."
NON_MODIFIABLE = (
    "Cette demande est au statut « {statut} » : elle n'est plus modifiable (seuls un brouillon, ou une "
    "demande « Incomplète » en vue de son complément, le sont)."
)


def _invalide(request, erreurs: dict, detail: str = DETAIL_VALIDATION):
    return reponse_probleme(request, 400, detail, errors=erreurs)


def _demande(request, pk: int, status_code: int = 200, **headers) -> Response:
    """The request as GET /api/v1/demandes/<pk>/ shows it."""
    response = views._detail(
        request, selectors.demandes_operateur(request.user), pk, routes=views.ROUTES_OPERATEUR
    )
    response.status_code = status_code
    for nom, valeur in headers.items():
        response[nom] = valeur
    return response


def _cree(request, demande: Demande) -> Response:
    url = request.build_absolute_uri(reverse("api:demande", args=[demande.pk]))
    return _demande(request, demande.pk, status.HTTP_201_CREATED, Location=url)


def _modifiable(request, pk: int) -> Demande:
    """The request among those the portal's form pages reach for this user (another company's: a 404)."""
    return get_object_or_404(
        selectors.demandes_formulaire(request.user).select_related(
            "titulaire", "representant", "bureau", "service", "version_precedente"
        ),
        pk=pk,
    )


def refus_edition(user, demande: Demande) -> str | None:
    """The portal's form: a draft, or an « Incomplète » request its side is completing (guide §6.2)."""
    if demande.statut == Statut.BROUILLON or actions.peut(user, demande, actions.nom_complement(user)):
        return None
    return NON_MODIFIABLE.format(statut=demande.get_statut_display())


def _enregistrer(request, demande: Demande, *, remplacer: bool):
    """The body checked (types, then the page's forms) and saved; a problem response, or the request saved."""
    corps = BrouillonSerializer(data=request.data)
    if not corps.is_valid():
        return _invalide(request, formulaire_api.erreurs_serializer(corps.errors)), None
    formulaire, erreurs = formulaire_api.construire(demande, corps.validated_data, remplacer=remplacer)
    valide = formulaire.is_valid()
    erreurs = {**erreurs, **formulaire_api.erreurs(formulaire)}
    if erreurs or not valide:
        return _invalide(request, erreurs or {"non_field_errors": [DETAIL_VALIDATION]}), None
    try:
        enregistree = services.enregistrer_formulaire(
            demande=demande,
            by=request.user,
            form=formulaire.form,
            contacts=formulaire.contacts,
            marchandises=formulaire.marchandises,
        )
    except services.ActionRefusee as exc:
        return reponse_probleme(request, 409, str(exc)), None
    return None, enregistree


DESCRIPTION_RUBRIQUES = (
    "Le corps reprend les rubriques du formulaire (guide §5.2) : `bureau` (rubrique 1, voir "
    "/api/v1/bureaux/), `telephone`, `courriel`, `activite` (rubrique 2), `titulaire`, "
    "`representant_telephone`, `representant_courriel` (rubrique 3 : représentant en douane seulement, "
    "`titulaire` parmi /api/v1/clients/), `contacts` (rubrique 4), `marchandises` (rubrique 5), `cadres` "
    "(rubrique 6, voir /api/v1/cadres/), `engagement`, `engagement_nom`, `engagement_fonction`, "
    "`engagement_lieu`, `consentement_publication` (rubrique 7). Comme avec « Reprendre plus tard », un "
    "brouillon peut être incomplet : seuls les longueurs, les choix et les caractères sont vérifiés ici ; "
    "tout le reste l'est à la soumission. Les erreurs (400) sont celles du formulaire du portail, par "
    "chemin JSON : `telephone`, `contacts[0].courriel`, `marchandises[1].code`, `non_field_errors`."
)


# ------------------------------------------------------------------ drafts
class Demandes(views.Demandes):
    permission_classes = [Operateur, PorteeEcriture]

    @extend_schema(
        operation_id="demandes_creer",
        tags=["Demandes"],
        summary="Créer un brouillon de demande",
        description="« Déposer une demande » : un nouveau brouillon, au nom de l'entreprise ou, pour un "
        "représentant en douane, d'un client dont il détient un mandat. Jeton de portée « écriture ». "
        + DESCRIPTION_RUBRIQUES,
        parameters=[CLE_IDEMPOTENCE],
        request=BrouillonSerializer,
        examples=[OpenApiExample("Un brouillon complet", value=EXEMPLE_BROUILLON, request_only=True)],
        responses={
            201: OpenApiResponse(DemandeSerializer, description="Le brouillon créé (en-tête Location)."),
            **_probleme(400, "Valeurs invalides (voir « errors »)."),
            **_probleme(409, "Le brouillon ne peut pas être créé."),
            **ERREURS_ECRITURE,
        },
    )
    @idempotent
    def post(self, request):
        try:
            demande = services.nouveau_brouillon(by=request.user)
        except services.ActionRefusee as exc:
            return reponse_probleme(request, 409, str(exc))
        erreur, demande = _enregistrer(request, demande, remplacer=False)
        return erreur or _cree(request, demande)


ECRITURE_BROUILLON = {
    "tags": ["Demandes"],
    "request": BrouillonSerializer,
    "responses": {
        200: DemandeSerializer,
        **_probleme(400, "Valeurs invalides (voir « errors »)."),
        **_probleme(409, "La demande n'est plus modifiable (ni brouillon, ni « Incomplète »)."),
        **views.ERREURS_OBJET,
    },
}


class DemandeDetail(views.DemandeDetail):
    permission_classes = [Operateur, PorteeEcriture]

    @extend_schema(
        operation_id="demandes_modifier",
        summary="Modifier un brouillon",
        description="Enregistre les rubriques envoyées ; les autres gardent leur valeur. `contacts` ou "
        "`marchandises`, s'ils sont envoyés, remplacent toutes les lignes de la rubrique. Possible tant "
        "que la demande est un brouillon, ou « Incomplète » pour la compléter (guide §6.2) ; une demande de "
        "modification d'un enregistrement ne modifie que `courriel`, `contacts`, `marchandises` et `cadres` "
        "(guide §7.2). Jeton de portée « écriture ». " + DESCRIPTION_RUBRIQUES,
        examples=[
            OpenApiExample("Le téléphone seulement", value={"telephone": "04 72 00 00 00"}, request_only=True)
        ],
        **ECRITURE_BROUILLON,
    )
    def patch(self, request, pk: int):
        return self._ecrire(request, pk, remplacer=False)

    @extend_schema(
        operation_id="demandes_remplacer",
        summary="Remplacer les rubriques d'un brouillon",
        description="Comme PATCH, mais une rubrique absente du corps est vidée. " + DESCRIPTION_RUBRIQUES,
        examples=[OpenApiExample("Un brouillon complet", value=EXEMPLE_BROUILLON, request_only=True)],
        **ECRITURE_BROUILLON,
    )
    def put(self, request, pk: int):
        return self._ecrire(request, pk, remplacer=True)

    def _ecrire(self, request, pk: int, *, remplacer: bool):
        demande = _modifiable(request, pk)
        raison = refus_edition(request.user, demande)
        if raison:
            return reponse_probleme(request, 409, raison)
        erreur, demande = _enregistrer(request, demande, remplacer=remplacer)
        return erreur or _demande(request, demande.pk)


# ------------------------------------------------------------------ documents
def _empreinte_televersement(handler):
    """An upload with an Idempotency-Key: the key's fingerprint covers the fields and each file's digest,
    not the raw body, whose multipart boundary changes with every send (curl -F draws a new one): the same
    upload sent again is recognised. The body is parsed first (files beyond memory go to disk)."""

    @wraps(handler)
    def enveloppe(self, request, *args, **kwargs):
        if request.headers.get(ENTETE_IDEMPOTENCE) is not None:
            empreinte = hashlib.sha256()
            for nom, valeur in sorted(request.POST.items()):
                empreinte.update(f"{nom}={valeur}\n".encode())
            for nom, fichier in sorted(request.FILES.items()):
                empreinte.update(f"{nom}:{fichier.name}:".encode())
                for morceau in fichier.chunks():
                    empreinte.update(morceau)
                fichier.seek(0)
            request._request._body = empreinte.hexdigest().encode()
        return handler(self, request, *args, **kwargs)

    return enveloppe


class Documents(views.VueApi):
    permission_classes = [Operateur, PorteeEcriture]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="demandes_documents",
        tags=["Demandes"],
        summary="Les documents d'une demande",
        description="La liste des documents joints à une demande que son titulaire (ou le représentant qui "
        "l'a déposée) peut encore modifier : brouillon ou « Incomplète ». Chaque document a son lien de "
        "téléchargement.",
        responses={200: DocumentSerializer(many=True), **views.ERREURS_OBJET},
    )
    def get(self, request, pk: int):
        demande = _modifiable(request, pk)
        return Response(
            DocumentSerializer(
                demande.documents.all(),
                many=True,
                context={"request": request, "route_document": "api:document"},
            ).data
        )

    @extend_schema(
        operation_id="demandes_documents_ajouter",
        tags=["Demandes"],
        summary="Ajouter un document",
        description="« Gérer les documents de la demande » (guide §5.2.8) : un fichier (`fichier`) et son "
        "nom (`nom`), en multipart/form-data, tant que la demande est un brouillon ou « Incomplète ». Le "
        "fichier passe les mêmes contrôles que sur le portail (format réel, taille, contenu actif, "
        "antivirus) : un refus est un problème 400 avec le message du portail dans `errors.fichier`. "
        "Jeton de portée « écriture ».",
        parameters=[CLE_IDEMPOTENCE],
        request={"multipart/form-data": DocumentEcritureSerializer},
        responses={
            201: OpenApiResponse(DocumentSerializer, description="Le document ajouté (en-tête Location)."),
            **_probleme(400, "Fichier refusé ou nom manquant (voir « errors »)."),
            **_probleme(415, "Le corps n'est pas un formulaire multipart/form-data lisible."),
            **_probleme(409, "Les documents de la demande ne peuvent plus être modifiés."),
            **ERREURS_ECRITURE,
        },
    )
    @_empreinte_televersement
    @idempotent
    def post(self, request, pk: int):
        demande = _modifiable(request, pk)
        if demande.statut not in STATUTS_MODIFIABLES:
            return reponse_probleme(
                request, 409, "Les documents de cette demande ne peuvent plus être modifiés."
            )
        corps = DocumentEcritureSerializer(data=request.data)
        if not corps.is_valid():
            return _invalide(request, formulaire_api.erreurs_serializer(corps.errors))
        try:
            # Outside any transaction, as the page: the scan runs before the row is locked.
            document = services.ajouter_document(
                demande=demande,
                by=request.user,
                fichier=corps.validated_data["fichier"],
                nom=corps.validated_data["nom"],
            )
        except ValidationError as exc:
            return _invalide(request, {"fichier": exc.messages})
        except services.ActionRefusee as exc:
            return reponse_probleme(request, 409, str(exc))
        contexte = {"request": request, "route_document": "api:document"}
        donnees = DocumentSerializer(document, context=contexte).data
        return Response(donnees, status=status.HTTP_201_CREATED, headers={"Location": donnees["url"]})


class Document(views.Document):
    permission_classes = [Operateur, PorteeEcriture]

    @extend_schema(
        operation_id="demandes_document_supprimer",
        tags=["Demandes"],
        summary="Supprimer un document",
        description="Tant que la demande est un brouillon ou « Incomplète ». Jeton de portée « écriture ».",
        responses={
            204: OpenApiResponse(description="Le document est supprimé."),
            **_probleme(409, "Les documents de la demande ne peuvent plus être modifiés."),
            **views.ERREURS_OBJET,
        },
    )
    def delete(self, request, pk: int, document_pk: int):
        demande = _modifiable(request, pk)
        document = get_object_or_404(demande.documents.select_related("demande"), pk=document_pk)
        try:
            services.supprimer_document(document=document, by=request.user)
        except services.ActionRefusee as exc:
            return reponse_probleme(request, 409, str(exc))
        return Response(status=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------ status changes
class Soumettre(views.VueApi):
    permission_classes = [Operateur, PorteeEcriture]

    @extend_schema(
        operation_id="demandes_soumettre",
        tags=["Demandes"],
        summary="Soumettre la demande",
        description=(
            "« Soumettre ma demande » (guide §5.2.9) : le brouillon est vérifié comme par « Valider » sur "
            "le portail ; s'il est incomplet, la réponse est un problème 400 avec les erreurs de chaque "
            "champ (`errors`). Sinon la demande passe « En étude » avec son numéro, et un courriel de "
            "confirmation part à l'adresse de la rubrique 2. Une demande de modification d'un "
            "enregistrement (guide §7.2) se soumet de même, avec son `commentaire` (obligatoire). Jeton "
            "de portée « écriture »."
        ),
        parameters=[CLE_IDEMPOTENCE],
        request=SoumissionSerializer,
        examples=[
            OpenApiExample("Une première demande", value={}, request_only=True),
            OpenApiExample(
                "Une demande de modification",
                value={"commentaire": "Nouvelle personne de contact et nouvelle position 2208."},
                request_only=True,
            ),
        ],
        responses={
            200: DemandeSerializer,
            **_probleme(400, "Demande incomplète (voir « errors »)."),
            **_probleme(409, "La demande ne peut pas être soumise (déjà soumise, EORI déjà enregistré…)."),
            **ERREURS_ECRITURE,
        },
    )
    @idempotent
    def post(self, request, pk: int):
        corps = SoumissionSerializer(data=request.data)
        if not corps.is_valid():
            return _invalide(request, formulaire_api.erreurs_serializer(corps.errors))
        demande = _modifiable(request, pk)
        if refus := services.refus_soumission(demande):
            return reponse_probleme(request, 409, refus)
        if demande.est_modification:
            return self._modification(request, demande, corps.validated_data.get("commentaire", ""))
        formulaire = validation.verifier(demande)
        if not formulaire.is_valid():
            return _invalide(request, formulaire_api.erreurs(formulaire), INCOMPLETE)
        try:
            demande = services.soumettre(demande=demande, by=request.user)
        except services.ActionRefusee as exc:
            return reponse_probleme(request, 409, str(exc))
        return _demande(request, demande.pk)

    def _modification(self, request, demande: Demande, commentaire: str):
        """The modification's recap (rex.views_modification): its form checked, then the whole request,
        then the « Commentaire »."""
        formulaire = validation.verifier(demande, form_class=validation.classe_formulaire(demande))
        erreurs = formulaire_api.erreurs(formulaire) if not formulaire.is_valid() else {}
        try:
            commentaire = texte_saisi(commentaire, "Le commentaire")
        except services.ActionRefusee as exc:
            erreurs["commentaire"] = [str(exc)]
        if erreurs:
            return _invalide(request, erreurs, INCOMPLETE_MODIFICATION)
        if not validation.verifier(demande).is_valid():
            return reponse_probleme(
                request,
                409,
                "Des données non modifiables de votre enregistrement sont incomplètes ou ne sont plus "
                "valables : contactez le service en charge de votre enregistrement.",
            )
        try:
            demande = services.soumettre_modification(
                modification=demande, by=request.user, commentaire=commentaire
            )
        except services.ActionRefusee as exc:
            return reponse_probleme(request, 409, str(exc))
        return _demande(request, demande.pk)


class Complement(views.VueApi):
    permission_classes = [Operateur, PorteeEcriture]

    @extend_schema(
        operation_id="demandes_complement",
        tags=["Demandes"],
        summary="Transmettre le complément",
        description="Guide §6.2 : une demande « Incomplète », complétée (PATCH, documents), est transmise "
        "au service avec les « Compléments apportés à la demande » (obligatoire) ; elle repasse « En "
        "étude » et le service est prévenu par courriel. Si elle est encore incomplète, la réponse est un "
        "problème 400 avec les erreurs de chaque champ. Jeton de portée « écriture ».",
        parameters=[CLE_IDEMPOTENCE],
        request=ComplementSerializer,
        examples=[
            OpenApiExample(
                "Un complément",
                value={"complements": "Ajout de l'extrait Kbis et de la position 2208."},
                request_only=True,
            )
        ],
        responses={
            200: DemandeSerializer,
            **_probleme(400, "Compléments manquants, ou demande incomplète (voir « errors »)."),
            **_probleme(409, "La demande n'est pas « Incomplète »."),
            **ERREURS_ECRITURE,
        },
    )
    @idempotent
    def post(self, request, pk: int):
        corps = ComplementSerializer(data=request.data)
        if not corps.is_valid():
            return _invalide(request, formulaire_api.erreurs_serializer(corps.errors))
        demande = _modifiable(request, pk)
        raison = actions.refus(request.user, demande, actions.nom_complement(request.user))
        if raison:
            return reponse_probleme(request, 409, raison)
        try:
            complements = texte_saisi(
                corps.validated_data["complements"], "La case « Compléments apportés à la demande »"
            )
        except services.ActionRefusee as exc:
            return _invalide(request, {"complements": [str(exc)]})
        formulaire = validation.verifier(demande)
        if not formulaire.is_valid():
            return _invalide(request, formulaire_api.erreurs(formulaire), INCOMPLETE)
        try:
            demande = services.transmettre_complement(
                demande=demande, by=request.user, complements=complements
            )
        except services.ActionRefusee as exc:
            return reponse_probleme(request, 409, str(exc))
        return _demande(request, demande.pk)


class Modification(views.VueApi):
    permission_classes = [Operateur, PorteeEcriture]

    @extend_schema(
        operation_id="demandes_modification",
        tags=["Demandes"],
        summary="Demander des modifications de cet enregistrement",
        description="Guide §7.2 : prépare la demande de modification d'un enregistrement octroyé (un "
        "brouillon, copie de l'enregistrement et de ses documents), ou rend celle déjà en préparation "
        "(200). Modifiez-la ensuite (PATCH : `courriel`, `contacts`, `marchandises`, `cadres`), puis "
        "soumettez-la (…/soumettre/ avec son `commentaire`). L'enregistrement reste valable pendant "
        "l'instruction. Jeton de portée « écriture ».",
        parameters=[CLE_IDEMPOTENCE],
        request=None,
        responses={
            201: OpenApiResponse(DemandeSerializer, description="La demande de modification (brouillon)."),
            200: OpenApiResponse(DemandeSerializer, description="La demande de modification déjà en cours."),
            **_probleme(400, "En-tête Idempotency-Key invalide (voir « errors »)."),
            **_probleme(409, "L'enregistrement ne peut pas être modifié à son statut actuel."),
            **ERREURS_ECRITURE,
        },
    )
    @idempotent
    def post(self, request, pk: int):
        enregistrement = _modifiable(request, pk)
        raison = actions.refus(request.user, enregistrement, "demander_modification")
        if raison:
            return reponse_probleme(request, 409, raison)
        en_cours = enregistrement.modifications.filter(statut=Statut.BROUILLON).exists()
        try:
            modification = services.preparer_modification(enregistrement=enregistrement, by=request.user)
        except services.ActionRefusee as exc:
            return reponse_probleme(request, 409, str(exc))
        if en_cours:
            return _demande(request, modification.pk)
        return _cree(request, modification)


# ------------------------------------------------------------------ reference data
class Bureaux(views.VueApi):
    permission_classes = [Utilisateur]

    @extend_schema(
        operation_id="bureaux",
        tags=["Référentiel"],
        summary="Bureaux de douane",
        description="Les bureaux de douane actifs, par nom : la rubrique 1 (`bureau`) en prend "
        "l'identifiant.",
        responses={200: BureauSerializer(many=True), **views.ERREURS_LECTURE},
    )
    def get(self, request):
        bureaux = BureauDouane.objects.filter(actif=True).order_by("nom")
        return Response(BureauSerializer(bureaux, many=True).data)


class Cadres(views.VueApi):
    permission_classes = [Utilisateur]

    @extend_schema(
        operation_id="cadres",
        tags=["Référentiel"],
        summary="Cadres préférentiels",
        description="Les cadres préférentiels où le système REX est prévu : la rubrique 6 (`cadres`) en "
        "prend les identifiants.",
        responses={200: CadreReferentielSerializer(many=True), **views.ERREURS_LECTURE},
    )
    def get(self, request):
        cadres = CadrePreferentiel.objects.filter(actif=True)
        return Response(CadreReferentielSerializer(cadres, many=True).data)


class Clients(views.VueApi):
    permission_classes = [Operateur]

    @extend_schema(
        operation_id="clients",
        tags=["Référentiel"],
        summary="Mes clients (représentant en douane)",
        description="Les opérateurs pour lesquels le représentant en douane détient un mandat en cours : "
        "`titulaire` (rubrique 3) en prend l'identifiant. Une liste vide pour un opérateur qui n'est pas "
        "représentant en douane.",
        responses={200: ClientSerializer(many=True), **views.ERREURS_LECTURE},
    )
    def get(self, request):
        if not request.user.est_representant:
            return Response([])
        clients = selectors.clients_representes(request.user.entreprise)
        return Response(ClientSerializer(clients, many=True).data)
