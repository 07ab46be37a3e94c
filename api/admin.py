"""The PAE sees the API tokens (never the tokens themselves) and may revoke one (a leaked token, a
departure). Tokens are created by their users only: no « Ajouter », no deletion (the trace stays)."""

from django.contrib import admin, messages

from api import services
from api.models import JetonApi


@admin.register(JetonApi)
class JetonApiAdmin(admin.ModelAdmin):
    fields = ("user", "nom", "prefix", "portee", "created_at", "expire_le", "dernier_usage", "revoque_le")
    list_display = fields
    list_filter = ("portee",)
    search_fields = ("nom", "prefix", "user__username", "user__email")
    list_select_related = ("user",)
    readonly_fields = fields
    actions = ["revoquer"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Révoquer les jetons sélectionnés", permissions=["change"])
    def revoquer(self, request, queryset):
        nombre = 0
        for jeton in queryset.filter(revoque_le__isnull=True):
            services.revoquer_jeton(jeton=jeton, by=request.user)
            nombre += 1
        self.message_user(request, f"{nombre} jeton(s) révoqué(s).", messages.SUCCESS)
