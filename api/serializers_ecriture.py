"""The shapes of the API's writes. They check the JSON types only: the values are checked by the portal's
own forms (api.formulaire), so that the rules and the French messages are written once."""

from rest_framework import serializers

from api.champs import Booleen, Entier, Texte
from rex.models import LONGUEUR_TEXTE, Activite
from rex.regles import LIGNES_MAX
from soprano.saisie import CaracteresAutorises

ID_MAX = 2**63 - 1


def _texte(aide: str = "", **kwargs):
    return Texte(required=False, allow_blank=True, trim_whitespace=False, help_text=aide, **kwargs)


def _identifiant(aide: str, **kwargs):
    return Entier(min_value=1, max_value=ID_MAX, help_text=aide, **kwargs)


class ContactEcritureSerializer(serializers.Serializer):
    nom = _texte()
    prenom = _texte("Prénom.")
    fonction = _texte()
    telephone = _texte()
    fax = _texte("Facultatif.")
    courriel = _texte()


class MarchandiseEcritureSerializer(serializers.Serializer):
    code = _texte("Position tarifaire (SH4, 4 chiffres) ou chapitre (2 chiffres).")
    description = _texte("Description sommaire de la marchandise.")


class BrouillonSerializer(serializers.Serializer):
    # The rubriques of a request (guide §5.2). Every field is optional: a draft may be incomplete, as with
    # « Reprendre plus tard »; the submission checks everything. (A comment, not a docstring: the schema
    # would show it, in English.)

    bureau = _identifiant(
        "Rubrique 1 : bureau de douane compétent (identifiant de /api/v1/bureaux/).",
        required=False,
        allow_null=True,
    )
    titulaire = _identifiant(
        "Représentant en douane : l'opérateur représenté (identifiant de /api/v1/clients/).",
        required=False,
        allow_null=True,
    )
    telephone = _texte("Rubrique 2 : téléphone du demandeur.")
    courriel = _texte("Rubrique 2 : courriel du demandeur (les messages automatiques y sont envoyés).")
    activite = serializers.ChoiceField(
        choices=Activite.choices,
        required=False,
        allow_blank=True,
        help_text="Rubrique 2 : activité principale.",
    )
    representant_telephone = _texte("Rubrique 3 : téléphone du représentant en douane.")
    representant_courriel = _texte("Rubrique 3 : courriel du représentant en douane.")
    cadres = serializers.ListField(
        child=_identifiant("Identifiant de /api/v1/cadres/."),
        required=False,
        max_length=100,
        help_text="Rubrique 6 : cadres préférentiels (identifiants de /api/v1/cadres/).",
    )
    contacts = ContactEcritureSerializer(
        many=True,
        required=False,
        max_length=LIGNES_MAX["contacts"] + 1,
        help_text=f"Rubrique 4 : les personnes de contact ({LIGNES_MAX['contacts']} au plus) ; "
        "remplacent toutes les lignes enregistrées.",
    )
    marchandises = MarchandiseEcritureSerializer(
        many=True,
        required=False,
        max_length=LIGNES_MAX["marchandises"] + 1,
        help_text=f"Rubrique 5 : les marchandises ({LIGNES_MAX['marchandises']} au plus) ; remplacent "
        "toutes les lignes enregistrées.",
    )
    engagement = Booleen(required=False, help_text="Rubrique 7 : « Je m'engage à souscrire ».")
    engagement_nom = _texte("Rubrique 7 : nom du signataire.")
    engagement_fonction = _texte("Rubrique 7 : fonction du signataire.")
    engagement_lieu = _texte("Rubrique 7 : lieu.")
    consentement_publication = Booleen(
        required=False, allow_null=True, help_text="Rubrique 7 : consentement à la publication des données."
    )


class DocumentEcritureSerializer(serializers.Serializer):
    # An empty file is refused by rex.documents, with the file's name, like every other refusal.
    fichier = serializers.FileField(
        allow_empty_file=True, help_text="Le fichier (PDF, image, document bureautique…)."
    )
    nom = Texte(
        max_length=200,
        # The lengths are those of the value sent, as the schema says; the spaces around it go afterwards.
        trim_whitespace=False,
        validators=[CaracteresAutorises()],
        help_text="Le nom du document (« Fiche produit », « Extrait Kbis »…).",
    )

    def validate_nom(self, valeur: str) -> str:
        if not valeur.strip():
            raise serializers.ValidationError("Donnez un nom au document.")
        return valeur.strip()


class SoumissionSerializer(serializers.Serializer):
    commentaire = _texte(
        "Demande de modification d'un enregistrement : les éléments à modifier (obligatoire). Ignoré pour "
        "une première demande.",
        max_length=4000,
    )


class ComplementSerializer(serializers.Serializer):
    complements = Texte(
        trim_whitespace=False,
        allow_blank=True,
        max_length=LONGUEUR_TEXTE,
        help_text="« Compléments apportés à la demande » : ce qui a été complété (guide §6.2).",
    )


class BureauSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    nom = serializers.CharField()
    adresse = serializers.CharField(allow_blank=True)
    code_postal = serializers.CharField(allow_blank=True)
    ville = serializers.CharField(allow_blank=True)
    courriel = serializers.CharField(allow_blank=True)


class CadreReferentielSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    libelle = serializers.CharField()


class ClientSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    raison_sociale = serializers.CharField()
    eori = serializers.CharField(help_text="Numéro EORI.")
