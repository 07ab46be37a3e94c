"""What the OpenAPI schema says beyond the serializers: the problems (RFC 9457) each operation may answer,
the downloads, and the examples, in French."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse

from api.problemes import PROBLEMES, TYPE_PROBLEME

PROBLEME = {
    "type": "object",
    "description": "Problème au format RFC 9457 (application/problem+json).",
    "properties": {
        "type": {"type": "string", "example": "urn:soprano-rex:probleme:introuvable"},
        "title": {"type": "string", "example": "Ressource introuvable"},
        "status": {"type": "integer", "example": 404},
        "detail": {"type": "string"},
        "instance": {"type": "string", "example": "/api/v1/demandes/42/"},
        "errors": {
            "type": "object",
            "description": "Erreurs de validation : pour chaque champ, ses messages.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "detail"],
}


def probleme_documente(status_code: int, description: str = "") -> dict:
    """The schema's response for a problem of this status, typed application/problem+json."""
    kind, title = PROBLEMES[status_code]
    return {
        (status_code, TYPE_PROBLEME): OpenApiResponse(
            response=PROBLEME,
            description=description or title,
            examples=[
                OpenApiExample(
                    title,
                    value={
                        "type": f"urn:soprano-rex:probleme:{kind}",
                        "title": title,
                        "status": status_code,
                        "detail": description or title,
                        "instance": "/api/v1/…",
                    },
                    media_type=TYPE_PROBLEME,
                )
            ],
        )
    }


ERREURS_LECTURE = {
    **probleme_documente(401, "Jeton absent, invalide, expiré ou révoqué."),
    **probleme_documente(403),
    **probleme_documente(
        429, "Limite de requêtes atteinte : réessayez après le délai de l'en-tête Retry-After."
    ),
}
ERREURS_OBJET = {**ERREURS_LECTURE, **probleme_documente(404, "Demande inconnue, ou d'une autre entreprise.")}

EXEMPLE_DEMANDE = {
    "id": 42,
    "numero": "FR-REX-2026-00042",
    "statut": "octroyee",
    "statut_libelle": "Octroyée",
    "titulaire": {"eori": "FR12345678901234", "raison_sociale": "Vins de Bourgogne SAS"},
    "representant": {"eori": "FR98765432109876", "raison_sociale": "Transit Martin"},
    "service": {"nom": "Bureau de Lyon", "courriel": "pae-lyon@douane.finances.gouv.fr"},
    "numero_rex": "FRREXFR12345678901234",
    "date_enregistrement": "2026-03-02",
    "date_validite": "2026-02-20",
    "revoquee_le": None,
    "version": 1,
    "date_limite": None,
    "soumise_le": "2026-02-20T10:15:00+01:00",
    "updated_at": "2026-03-02T09:00:00+01:00",
    "url": "https://soprano-rex.example/api/v1/demandes/42/",
}


FICHIER = OpenApiResponse(response=OpenApiTypes.BINARY, description="Le fichier.")
EN_COURS = OpenApiResponse(
    response=PROBLEME,
    description=(
        "PDF en cours de génération : rappelez la même adresse après le délai de l'en-tête Retry-After."
    ),
)


EXEMPLE_DETAIL = {
    **EXEMPLE_DEMANDE,
    "bureau": {"nom": "Bureau de Lyon", "courriel": "pae-lyon@douane.finances.gouv.fr"},
    "telephone": "04 72 00 00 00",
    "courriel": "export@vins-bourgogne.example",
    "activite": "production",
    "depot_papier": False,
    "est_modification": False,
    "motif_rejet": "",
    "motif_revocation": "",
    "contacts": [
        {
            "nom": "Durand",
            "prenom": "Claire",
            "fonction": "Directrice export",
            "telephone": "04 72 00 00 01",
            "courriel": "claire.durand@vins-bourgogne.example",
        }
    ],
    "marchandises": [{"code": "2204", "description": "Vins rouges de Bourgogne"}],
    "cadres": [{"code": "ue-japon", "libelle": "Accord de partenariat économique UE–Japon"}],
    "documents": [
        {
            "id": 7,
            "nom": "Statuts",
            "nom_original": "statuts.pdf",
            "type_mime": "application/pdf",
            "taille": 182044,
            "created_at": "2026-02-19T16:02:00+01:00",
            "url": "https://soprano-rex.example/api/v1/demandes/42/documents/7/",
        }
    ],
    "evenements": [
        {
            "created_at": "2026-02-20T10:15:00+01:00",
            "kind": "soumission",
            "libelle": "Dépôt de la demande",
            "statut_avant": "brouillon",
            "statut_apres": "en_etude",
            "commentaire": "",
        },
        {
            "created_at": "2026-03-02T09:00:00+01:00",
            "kind": "octroi",
            "libelle": "Octroi",
            "statut_avant": "en_etude",
            "statut_apres": "octroyee",
            "commentaire": "",
        },
    ],
    "messages": [
        {
            "id": 3,
            "created_at": "2026-02-25T11:30:00+01:00",
            "cote": "service",
            "texte": "Votre demande est à l'étude.",
        }
    ],
    "actions": [
        {"nom": "demander_modification", "libelle": "Demander des modifications de cet enregistrement"},
        {"nom": "ecrire_operateur", "libelle": "Envoyer le message"},
    ],
    "autorisation_pdf": "https://soprano-rex.example/api/v1/demandes/42/autorisation.pdf",
}
