"""What the API shows of a request, read from rows already loaded (no serializer runs a query)."""

from django.urls import reverse

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.champs import TexteMotif
from rex import pdf
from rex.models import LONGUEUR_TEXTE, Demande, Evenement, Message, Statut

# A text typed by a user (soprano.saisie): no control character but tab, LF and CR, no bidi override; at
# least one character that is not a space. Written so that the schema's pattern (ECMA) and the check
# (Python) agree on every character, spaces included (each language has its own idea of \s).
_PERMIS = "[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]"
_VISIBLE = (
    "[^\\x00-\\x20\\x7f-\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202a-\\u202f\\u205f"
    "\\u2066-\\u2069\\u3000]"
)
TEXTE_SAISI = f"\\A{_PERMIS}*{_VISIBLE}{_PERMIS}*\\Z"
# A search: anything but NUL (which PostgreSQL refuses in a text). Never empty: an empty value is the
# field's `allow_blank`, a branch of its own in the schema (oneOf), which must not match twice.
SANS_NUL = "\\A[^\\x00]+\\Z"
# A cursor of rex.pagination: a segment's name and its keys (« m.1772438400000000.42 »).
CURSEUR = "\\A[a-z]{1,10}(\\.[0-9]{1,19}){1,5}\\Z"


def _url(request, nom: str, *args) -> str:
    return request.build_absolute_uri(reverse(nom, args=args))


class EntrepriseSerializer(serializers.Serializer):
    eori = serializers.CharField(help_text="Numéro EORI.")
    raison_sociale = serializers.CharField()


class ServiceSerializer(serializers.Serializer):
    nom = serializers.CharField(help_text="Service des douanes en charge de la demande.")
    courriel = serializers.CharField(allow_blank=True)


# A row of a list: what an ERP needs to follow its requests and the registration's validity. (The
# serializers have comments, not docstrings: a docstring would be the schema's English description.)
class DemandeResumeSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identifiant de la demande dans l'API.")
    numero = serializers.CharField(
        allow_null=True, help_text="Numéro de la demande (FR-REX-AAAA-NNNNN), donné au dépôt."
    )
    statut = serializers.ChoiceField(choices=Statut.choices)
    statut_libelle = serializers.CharField(
        source="get_statut_display", help_text="Statut, en toutes lettres."
    )
    titulaire = EntrepriseSerializer(
        allow_null=True, help_text="Le demandeur, titulaire de l'enregistrement."
    )
    representant = EntrepriseSerializer(
        allow_null=True, help_text="Le représentant en douane, s'il y en a un."
    )
    service = ServiceSerializer(allow_null=True)
    numero_rex = serializers.CharField(
        help_text="Numéro REX, une fois l'enregistrement octroyé (sinon vide)."
    )
    date_enregistrement = serializers.DateField(allow_null=True)
    date_validite = serializers.DateField(
        allow_null=True, help_text="Date à partir de laquelle le numéro REX est valable."
    )
    revoquee_le = serializers.DateField(
        allow_null=True, help_text="Date d'effet de la révocation de l'enregistrement, le cas échéant."
    )
    version = serializers.IntegerField()
    date_limite = serializers.DateTimeField(
        allow_null=True, help_text="Demande « Incomplète » : date limite pour la compléter (30 jours)."
    )
    soumise_le = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(help_text="Dernière mise à jour.")
    url = serializers.SerializerMethodField(help_text="Adresse de la demande dans l'API.")

    def get_url(self, demande: Demande) -> str:
        return _url(self.context["request"], self.context["route_detail"], demande.pk)


class ContactSerializer(serializers.Serializer):
    nom = serializers.CharField()
    prenom = serializers.CharField()
    fonction = serializers.CharField()
    telephone = serializers.CharField()
    courriel = serializers.CharField()


class MarchandiseSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Position tarifaire (SH4) ou chapitre (SH2).")
    description = serializers.CharField()


class CadreSerializer(serializers.Serializer):
    code = serializers.CharField()
    libelle = serializers.CharField()


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nom = serializers.CharField()
    nom_original = serializers.CharField(help_text="Nom du fichier déposé.")
    type_mime = serializers.CharField()
    taille = serializers.IntegerField(help_text="Taille en octets.")
    created_at = serializers.DateTimeField(help_text="Ajouté le.")
    url = serializers.SerializerMethodField(help_text="Adresse de téléchargement (même jeton).")

    def get_url(self, document) -> str:
        return _url(self.context["request"], self.context["route_document"], document.demande_id, document.pk)


class EvenementSerializer(serializers.Serializer):
    created_at = serializers.DateTimeField(help_text="Date de l'événement.")
    kind = serializers.ChoiceField(choices=Evenement.Kind.choices)
    libelle = serializers.CharField(source="get_kind_display")
    statut_avant = serializers.CharField(allow_blank=True)
    statut_apres = serializers.CharField(allow_blank=True)
    commentaire = serializers.CharField(allow_blank=True)


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True, help_text="Envoyé le.")
    cote = serializers.ChoiceField(
        choices=Message.Cote.choices, read_only=True, help_text="De la part de l'opérateur ou du service."
    )
    texte = TexteMotif(
        TEXTE_SAISI,
        max_length=LONGUEUR_TEXTE,
        trim_whitespace=False,
        help_text="Le message (5 000 caractères au plus), sans caractère de contrôle.",
        error_messages={
            "invalid": "Le message est vide, ou contient un caractère non autorisé (caractère de contrôle ou "
            "de mise en forme bidirectionnelle) : saisissez-le à nouveau au lieu de le coller."
        },
    )


class ActionSerializer(serializers.Serializer):
    nom = serializers.CharField(help_text="Identifiant de l'action.")
    libelle = serializers.CharField(help_text="L'action, telle que le portail la présente.")


# A request with everything its page shows: rubriques, documents, history, thread, actions.
class DemandeSerializer(DemandeResumeSerializer):
    bureau = ServiceSerializer(allow_null=True, help_text="Bureau de douane compétent (rubrique 1).")
    telephone = serializers.CharField()
    courriel = serializers.CharField()
    activite = serializers.CharField(allow_blank=True)
    depot_papier = serializers.BooleanField(help_text="Déposée par le service sur formulaire papier.")
    est_modification = serializers.BooleanField(help_text="Demande de modification d'un enregistrement.")
    motif_rejet = serializers.CharField(allow_blank=True)
    motif_revocation = serializers.CharField(source="get_motif_revocation_display", allow_blank=True)
    contacts = ContactSerializer(many=True, source="contacts.all")
    marchandises = MarchandiseSerializer(many=True, source="marchandises.all")
    cadres = CadreSerializer(many=True, source="cadres.all", help_text="Cadres préférentiels (rubrique 6).")
    documents = DocumentSerializer(many=True, source="documents.all")
    evenements = EvenementSerializer(many=True, source="evenements.all", help_text="Historique.")
    messages = MessageSerializer(many=True, source="messages.all", help_text="Fil de discussion.")
    actions = serializers.SerializerMethodField(
        help_text="Les actions que l'utilisateur du jeton peut faire maintenant sur le portail."
    )
    autorisation_pdf = serializers.SerializerMethodField(
        help_text="Adresse du PDF de l'autorisation, une fois l'enregistrement octroyé (sinon null)."
    )

    @extend_schema_field(ActionSerializer(many=True))
    def get_actions(self, demande: Demande):
        return [{"nom": a.nom, "libelle": a.libelle} for a in self.context["actions"]]

    def get_autorisation_pdf(self, demande: Demande) -> str | None:
        if not pdf.imprimable(demande):
            return None
        return _url(self.context["request"], self.context["route_pdf"], demande.pk)


# A page of a list, by cursor: follow `suivant` until it is null.
class PageSerializer(serializers.Serializer):
    suivant = serializers.URLField(allow_null=True, help_text="Page suivante (null : dernière page).")
    precedent = serializers.URLField(allow_null=True, help_text="Page précédente (null : première page).")


class PageDemandesSerializer(PageSerializer):
    resultats = DemandeResumeSerializer(many=True)


class FiltresOperateurSerializer(serializers.Serializer):
    statut = serializers.ChoiceField(
        choices=Statut.choices, required=False, help_text="Un statut (guide §8)."
    )
    q = serializers.RegexField(
        SANS_NUL,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=200,
        help_text="Début d'un numéro de demande, d'un numéro REX, d'un EORI, ou partie d'une raison sociale.",
    )
    client = serializers.RegexField(
        SANS_NUL,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=200,
        help_text="Représentant en douane : début de l'EORI ou partie de la raison sociale du client.",
    )


class FiltresFileSerializer(serializers.Serializer):
    statut = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in Statut if s != Statut.BROUILLON],
        required=False,
        allow_blank=True,
    )
    agent = serializers.RegexField(
        r"\A(moi|aucun|[0-9]{1,18})\Z",
        required=False,
        allow_blank=True,
        # Untrimmed, as the schema says: Python's strip() takes U+0085 and other characters ECMA does not.
        trim_whitespace=False,
        help_text="« moi » (mes dossiers), « aucun » (non attribués) ou l'identifiant d'un agent du service.",
    )
    echeance = serializers.ChoiceField(
        choices=[("depassee", "Délai dépassé"), ("proche", "Échéance sous 7 jours")],
        required=False,
        allow_blank=True,
    )
    q = serializers.RegexField(
        SANS_NUL,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=200,
        help_text="Numéro de demande, numéro EORI ou raison sociale.",
    )
    tri = serializers.ChoiceField(
        choices=[("echeance", "Échéance la plus proche")],
        required=False,
        allow_blank=True,
        help_text="Par défaut : dernière mise à jour d'abord.",
    )


class PaginationSerializer(serializers.Serializer):
    apres = serializers.RegexField(
        CURSEUR,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Curseur de la page suivante (lien `suivant`).",
    )
    avant = serializers.RegexField(
        CURSEUR,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Curseur de la page précédente (lien `precedent`).",
    )
    taille = serializers.IntegerField(
        required=False, min_value=1, max_value=100, help_text="Nombre de demandes par page (25 par défaut)."
    )


class NomenclatureSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Chapitre (2 chiffres) ou position SH4 (4 chiffres).")
    libelle = serializers.CharField(help_text="Libellé officiel.")
    kind = serializers.ChoiceField(choices=[("chapitre", "Chapitre"), ("position", "Position SH4")])


class RechercheNomenclatureSerializer(serializers.Serializer):
    q = serializers.RegexField(
        SANS_NUL,
        max_length=200,
        trim_whitespace=False,
        help_text="Un code (« 22 », « 2204 », « 22.04 ») ou des mots du libellé (« vins »).",
    )


class JetonSerializer(serializers.Serializer):
    nom = serializers.CharField()
    prefix = serializers.CharField(help_text="Début du jeton.")
    portee = serializers.CharField()
    expire_le = serializers.DateField()
    created_at = serializers.DateTimeField()


class MoiSerializer(serializers.Serializer):
    identifiant = serializers.CharField(source="username")
    entreprise = EntrepriseSerializer(allow_null=True)
    representant_en_douane = serializers.BooleanField(source="est_representant")
    service = ServiceSerializer(allow_null=True, help_text="Agent des douanes : son service.")
    jeton = serializers.SerializerMethodField()

    @extend_schema_field(JetonSerializer)
    def get_jeton(self, user):
        return JetonSerializer(self.context["request"].auth).data
