"""The PAE sees the addresses and their deliveries; deliveries are read-only (written by the outbox only).

An address is registered by its company (its secret is shown once, to it): the admin may disable
(« Désactiver », through the service) or delete one, never add one nor read its secret; the company
enables it again.
"""

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from webhooks import services
from webhooks.models import Endpoint, Livraison, Tentative


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("url", "entreprise", "actif", "echecs_consecutifs", "created_at")
    list_filter = ("actif",)
    list_select_related = ("entreprise",)
    search_fields = ("url", "libelle", "entreprise__raison_sociale", "entreprise__eori")
    fields = (
        "entreprise",
        "url",
        "libelle",
        "statut_modifie",
        "message_recu",
        "actif",
        "echecs_consecutifs",
        "desactive_le",
        "motif_desactivation",
        "created_by",
        "created_at",
    )
    readonly_fields = (
        "entreprise",
        "url",
        "actif",
        "statut_modifie",
        "message_recu",
        "echecs_consecutifs",
        "desactive_le",
        "motif_desactivation",
        "created_by",
        "created_at",
    )

    actions = ("desactiver",)

    @admin.action(description="Désactiver", permissions=["change"])
    def desactiver(self, request: HttpRequest, queryset) -> None:
        nombre = 0
        for endpoint in queryset.filter(actif=True):
            services.desactiver(endpoint=endpoint, by=request.user)
            nombre += 1
        self.message_user(request, f"{nombre} adresse(s) désactivée(s).")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class TentativeInline(admin.TabularInline):
    model = Tentative
    fk_name = "livraison"
    extra = 0
    fields = ("numero", "created_at", "statut_http", "duree_ms", "reussie", "erreur")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Livraison)
class LivraisonAdmin(admin.ModelAdmin):
    list_display = ("created_at", "type", "endpoint", "etat", "essais", "prochain_essai_le")
    list_filter = ("etat", "type")
    list_select_related = ("endpoint",)
    search_fields = ("endpoint__url", "uuid", "evenement")
    readonly_fields = (
        "uuid",
        "endpoint",
        "evenement",
        "type",
        "donnees",
        "created_at",
        "etat",
        "essais",
        "prochain_essai_le",
        "livree_le",
        "derniere_erreur",
    )
    fields = readonly_fields
    inlines = (TentativeInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
