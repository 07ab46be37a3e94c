"""Admin of the REX reference data: HS nomenclature and preferential frameworks (rubriques 5, 6)."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from rex.models import CadrePreferentiel, Chapitre, PositionTarifaire
from rex.nomenclature import normalize_search


class NomenclatureAdmin(admin.ModelAdmin):
    """Searches codes by prefix and labels accent-insensitively, as the request form does."""

    search_fields = ("^code", "libelle_recherche")
    search_help_text = "Code (début) ou mots du libellé, avec ou sans accents."

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        return super().get_search_results(request, queryset, normalize_search(search_term))

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        # The search field is derived: recomputed here, as the importer does, never typed.
        obj.libelle_recherche = normalize_search(obj.libelle)
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
