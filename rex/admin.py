"""Admin of the REX reference data: HS nomenclature and preferential frameworks (rubriques 5, 6)."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from rex import emails
from rex.models import (
    CadrePreferentiel,
    Chapitre,
    Contact,
    Courriel,
    CourrielEnEchec,
    Demande,
    Evenement,
    LigneMarchandise,
    PositionTarifaire,
    RelanceEcheance,
)
from rex.nomenclature import normaliser_recherche


class NomenclatureAdmin(admin.ModelAdmin):
    """Searches codes by prefix and labels accent-insensitively, as the request form does."""

    search_fields = ("^code", "libelle_recherche")
    search_help_text = "Code (début) ou mots du libellé, avec ou sans accents."

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        return super().get_search_results(request, queryset, normaliser_recherche(search_term))

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        # The search field is derived: recomputed here, as the importer does, never typed.
        obj.libelle_recherche = normaliser_recherche(obj.libelle)
        super().save_model(request, obj, form, change)


@admin.register(Chapitre)
class ChapitreAdmin(NomenclatureAdmin):
    list_display = ("code", "libelle")


@admin.register(PositionTarifaire)
class PositionTarifaireAdmin(NomenclatureAdmin):
    list_display = ("code", "libelle")
    list_filter = ("chapitre",)
    autocomplete_fields = ("chapitre",)


@admin.register(CadrePreferentiel)
class CadrePreferentielAdmin(admin.ModelAdmin):
    list_display = ("libelle", "code", "ordre", "actif")
    list_display_links = ("libelle",)
    list_editable = ("ordre", "actif")
    list_filter = ("actif",)
    search_fields = ("libelle", "code")
    prepopulated_fields = {"code": ("libelle",)}


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    can_delete = False
    readonly_fields = ("nom", "prenom", "fonction", "telephone", "fax", "courriel")
    fields = readonly_fields


class MarchandiseInline(admin.TabularInline):
    model = LigneMarchandise
    extra = 0
    can_delete = False
    readonly_fields = ("code", "description")
    fields = readonly_fields


class EvenementInline(admin.TabularInline):
    model = Evenement
    extra = 0
    can_delete = False
    readonly_fields = (
        "created_at",
        "kind",
        "acteur",
        "statut_avant",
        "statut_apres",
        "commentaire",
    )
    fields = readonly_fields


@admin.register(Demande)
class DemandeAdmin(admin.ModelAdmin):
    """Read-only: a request changes only through the services (portal and back-office)."""

    list_display = (
        "__str__",
        "statut",
        "titulaire_raison_sociale",
        "titulaire_eori",
        "service",
        "updated_at",
    )
    list_filter = ("statut", "service", "depot_papier")
    search_fields = ("numero", "titulaire__eori", "titulaire__raison_sociale", "titulaire_eori")
    list_select_related = ("service", "titulaire")
    inlines = (ContactInline, MarchandiseInline, EvenementInline)
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Courriel)
class CourrielAdmin(admin.ModelAdmin):
    """The outbox: what was sent, what waits for the broker or the mail server."""

    list_display = ("created_at", "destinataire", "sujet", "envoye_le", "tentatives")
    list_filter = (("envoye_le", admin.EmptyFieldListFilter),)
    search_fields = ("destinataire", "sujet")
    readonly_fields = (
        "destinataire",
        "sujet",
        "texte",
        "modele",
        "demande",
        "envoye_le",
        "tentatives",
        "derniere_erreur",
    )
    exclude = ("html", "contexte")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CourrielEnEchec)
class CourrielEnEchecAdmin(admin.ModelAdmin):
    """« Courriels en échec »: the e-mails the mail server refused, with the error and the next attempt.

    « Renvoyer » starts the attempts again (after a fix of the address or of the mail server).
    """

    list_display = ("created_at", "destinataire", "sujet", "tentatives", "etat", "prochain_essai_le")
    list_filter = ("tentatives",)
    search_fields = ("destinataire", "sujet")
    readonly_fields = (
        "destinataire",
        "sujet",
        "texte",
        "demande",
        "created_at",
        "tentatives",
        "derniere_erreur",
        "prochain_essai_le",
    )
    exclude = ("html", "envoye_le")
    actions = ("renvoyer",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(envoye_le__isnull=True, tentatives__gt=0)

    @admin.display(description="état")
    def etat(self, obj: Courriel) -> str:
        if obj.tentatives >= emails.MAX_TENTATIVES:
            return "Abandonné"
        return "Nouvel essai programmé"

    @admin.action(description="Renvoyer", permissions=["change"])
    def renvoyer(self, request: HttpRequest, queryset: QuerySet) -> None:
        nombre = emails.renvoyer(queryset)
        self.message_user(request, f"{nombre} courriel(s) remis en file d'envoi.")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(RelanceEcheance)
class RelanceEcheanceAdmin(admin.ModelAdmin):
    """The reminders sent before the automatic rejection (rex.services.relances): read only, a trace."""

    list_display = ("demande", "palier", "date_limite", "created_at")
    list_filter = ("palier",)
    search_fields = ("demande__numero",)
    list_select_related = ("demande",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
