"""Django admin for the PAE: certification, habilitations, companies, mandates, reference data.

Certification and habilitation go only through the « Certifier » / « Habiliter » actions, which call
accounts.services: the dates are read-only in the forms, so there is no second path that sets them.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from accounts import services
from accounts.groupes import synchroniser_groupes
from accounts.models import (
    BureauDouane,
    CalendrierEcheances,
    DemandeHabilitation,
    Departement,
    Entreprise,
    Mandat,
    User,
)
from accounts.validators import normaliser_eori, validate_siret

# Filters -----------------------------------------------------------------------------------------


class _OuiNonFilter(admin.SimpleListFilter):
    champ: str

    def lookups(self, request, model_admin):
        return [("oui", "Oui"), ("non", "Non")]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(**{f"{self.champ}__isnull": False})
        if self.value() == "non":
            return queryset.filter(**{f"{self.champ}__isnull": True})
        return queryset


class CertifieFilter(_OuiNonFilter):
    title = "Certifié"
    parameter_name = "certifie"
    champ = "certifie_le"


class HabiliteFilter(_OuiNonFilter):
    title = "Habilité"
    parameter_name = "habilite"
    champ = "habilite_le"


class TraiteeFilter(_OuiNonFilter):
    title = "Traitée"
    parameter_name = "traitee"
    champ = "traitee_le"


# Actions -----------------------------------------------------------------------------------------


def _appliquer(modeladmin, request, users, *, service, fait: str, deja: str) -> None:
    """Run a certification/habilitation service on each account and report what was skipped."""
    changes, inchanges, refus = [], [], []
    for user in users:
        try:
            changed = service(user=user, by=request.user)
        except services.AccountsError as error:
            refus.append(str(error))
            continue
        (changes if changed else inchanges).append(user.username)
    if changes:
        modeladmin.message_user(request, f"{fait} : {', '.join(changes)}.", messages.SUCCESS)
    if inchanges:
        modeladmin.message_user(request, f"{deja} : {', '.join(inchanges)}.", messages.INFO)
    if refus:
        modeladmin.message_user(
            request,
            format_html(
                "{} compte(s) ignoré(s) :{}",
                len(refus),
                format_html_join("", "<br>{}", ((raison,) for raison in refus)),
            ),
            messages.WARNING,
        )


# Users -------------------------------------------------------------------------------------------


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email", "first_name", "last_name")


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = (
        "username",
        "nom_complet",
        "email",
        "entreprise",
        "service",
        "certifie_le",
        "habilite_le",
        "is_active",
    )
    list_select_related = ("entreprise", "service")
    list_filter = (
        CertifieFilter,
        HabiliteFilter,
        "entreprise__est_representant_en_douane",
        ("service", admin.RelatedOnlyFieldListFilter),
        "is_active",
        "is_staff",
    )
    search_fields = (
        "username",
        "email",
        "last_name",
        "first_name",
        "entreprise__eori",
        "entreprise__raison_sociale",
    )
    autocomplete_fields = ("entreprise", "service")
    readonly_fields = ("certifie_le", "habilite_le", "last_login", "date_joined")
    actions = ("certifier", "habiliter")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Access to requests follows the account's company or service (object permissions).
        synchroniser_groupes(obj)

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Informations personnelles", {"fields": ("first_name", "last_name", "email")}),
        (
            "Entreprise ou service douanier",
            {
                "fields": ("entreprise", "service"),
                "description": "Un opérateur est rattaché à son entreprise (EORI), "
                "un agent des douanes à son service ; jamais les deux.",
            },
        ),
        (
            "Certification et habilitation",
            {
                "fields": ("certifie_le", "habilite_le"),
                "description": "Utilisez les actions « Certifier » puis « Habiliter » de la liste "
                "des utilisateurs.",
            },
        ),
        (
            "Droits",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
                "classes": ("collapse",),
            },
        ),
        ("Dates importantes", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    @admin.display(description="nom", ordering="last_name")
    def nom_complet(self, obj):
        return obj.get_full_name()

    @admin.action(description="Certifier", permissions=["change"])
    def certifier(self, request, queryset):
        _appliquer(
            self,
            request,
            queryset,
            service=services.certifier,
            fait="Comptes certifiés",
            deja="Déjà certifiés",
        )

    @admin.action(description="Habiliter", permissions=["change"])
    def habiliter(self, request, queryset):
        _appliquer(
            self,
            request,
            queryset,
            service=services.habiliter,
            fait="Comptes habilités au téléservice SOPRANO",
            deja="Déjà habilités",
        )


# Companies and mandates --------------------------------------------------------------------------


class EntrepriseForm(forms.ModelForm):
    class Meta:
        model = Entreprise
        fields = (
            "eori",
            "siret",
            "raison_sociale",
            "adresse",
            "code_postal",
            "ville",
            "pays",
            "telephone",
            "est_representant_en_douane",
        )

    def clean_eori(self):
        return normaliser_eori(self.cleaned_data["eori"])

    def clean_siret(self):
        siret = self.cleaned_data.get("siret", "").replace(" ", "")
        if siret:
            validate_siret(siret)
        return siret

    def clean(self):
        cleaned = super().clean()
        eori, siret = cleaned.get("eori", ""), cleaned.get("siret", "")
        if eori.startswith("FR") and siret and eori[2:] != siret:
            raise ValidationError({"siret": "Le SIRET doit être celui du numéro EORI (FR suivi du SIRET)."})
        return cleaned


class MandatRepresentantInline(admin.TabularInline):
    model = Mandat
    fk_name = "representant"
    fields = ("represente", "date_debut", "date_fin")
    autocomplete_fields = ("represente",)
    extra = 0
    verbose_name = "opérateur représenté"
    verbose_name_plural = "mandats : opérateurs représentés (si représentant en douane)"


@admin.register(Entreprise)
class EntrepriseAdmin(admin.ModelAdmin):
    form = EntrepriseForm
    list_display = ("raison_sociale", "eori", "siret", "ville", "est_representant_en_douane")
    list_filter = ("est_representant_en_douane", "pays")
    search_fields = ("eori", "raison_sociale", "siret")
    inlines = (MandatRepresentantInline,)


@admin.register(Mandat)
class MandatAdmin(admin.ModelAdmin):
    list_display = ("representant", "represente", "date_debut", "date_fin")
    list_select_related = ("representant", "represente")
    list_filter = ("date_fin",)
    search_fields = (
        "representant__eori",
        "representant__raison_sociale",
        "represente__eori",
        "represente__raison_sociale",
    )
    autocomplete_fields = ("representant", "represente")
    date_hierarchy = "date_debut"


# Reference data ----------------------------------------------------------------------------------


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ("code", "nom", "pae_nom", "pae_courriel")
    list_editable = ("pae_nom", "pae_courriel")
    search_fields = ("code", "nom", "pae_nom")


@admin.register(BureauDouane)
class BureauDouaneAdmin(admin.ModelAdmin):
    list_display = ("nom", "code", "ville", "courriel", "actif")
    list_filter = ("actif",)
    search_fields = ("nom", "code", "ville", "code_postal")
    filter_horizontal = ("departements",)


# Habilitation requests ---------------------------------------------------------------------------


@admin.register(DemandeHabilitation)
class DemandeHabilitationAdmin(admin.ModelAdmin):
    list_display = ("demandeur", "entreprise", "departement", "created_at", "traitee_le")
    list_select_related = ("user__entreprise", "departement")
    list_filter = (TraiteeFilter, ("departement", admin.RelatedOnlyFieldListFilter))
    search_fields = (
        "user__username",
        "user__last_name",
        "user__email",
        "user__entreprise__eori",
        "user__entreprise__raison_sociale",
    )
    readonly_fields = ("user", "departement", "message", "created_at", "traitee_le")
    date_hierarchy = "created_at"
    actions = ("habiliter",)

    def has_add_permission(self, request):
        return False

    @admin.display(description="demandeur", ordering="user__username")
    def demandeur(self, obj):
        return f"{obj.user.username} ({obj.user.get_full_name()})"

    @admin.display(description="entreprise")
    def entreprise(self, obj):
        return obj.user.entreprise

    @admin.action(description="Habiliter", permissions=["change"])
    def habiliter(self, request, queryset):
        users = {demande.user_id: demande.user for demande in queryset.select_related("user")}
        _appliquer(
            self,
            request,
            users.values(),
            service=services.habiliter,
            fait="Comptes habilités au téléservice SOPRANO",
            deja="Déjà habilités (demandes closes)",
        )


@admin.register(CalendrierEcheances)
class CalendrierEcheancesAdmin(admin.ModelAdmin):
    """The deadlines feeds' addresses: who has one, since when. Only a fingerprint is stored (the address
    is never shown again); deleting it turns a leaked address off at once."""

    list_display = ("user", "genere_le")
    search_fields = ("user__username", "user__last_name", "user__email")
    list_select_related = ("user",)
    readonly_fields = ("user", "genere_le")
    exclude = ("hash",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
