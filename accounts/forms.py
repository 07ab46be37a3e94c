"""Forms of the operator portal, rendered with the DSFR (`{{ form }}`)."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError

from accounts import selectors
from accounts.models import Departement, User
from soprano.saisie import ChoixModele, DsfrForm, borner

MESSAGE_COMPTE_INACTIF = (
    "Votre compte n'est pas encore activé : cliquez sur le lien du courriel d'activation "
    "que nous vous avons envoyé lors de votre inscription. Ce lien a expiré ? "
    "Demandez-en un nouveau avec « Renvoyer le lien d'activation »."
)


# Longer than any password a manager generates; refuses a 100,000-character one before hashing it.
LONGUEUR_MOT_DE_PASSE = 128


class FormulaireDsfr(DsfrForm):
    """DSFR rendering, hostile input refused (soprano.saisie); the non-field errors appear once, in the
    error summary above the form."""

    template_name = "accounts/_form.html"


class SignupForm(FormulaireDsfr, auth_forms.UserCreationForm):
    """« S'inscrire » (guide §3.2.1): identifiant of letters only, password rules of the guide."""

    password1, password2 = auth_forms.SetPasswordMixin.create_password_fields(
        label1="Mot de passe", label2="Confirmation du mot de passe"
    )

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email")
        field_classes = {"username": auth_forms.UsernameField}
        labels = {
            "username": "Identifiant",
            "first_name": "Prénom",
            "last_name": "Nom",
            "email": "Adresse électronique",
        }
        help_texts = {
            "username": "Choisissez un identifiant composé uniquement de lettres "
            "(ni chiffre, ni caractère spécial).",
            "email": "Le lien d'activation de votre compte sera envoyé à cette adresse.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()
        self.fields["password2"].help_text = "Saisissez le même mot de passe, pour vérification."
        for name in ("password1", "password2"):
            borner(self.fields[name], LONGUEUR_MOT_DE_PASSE)

    def _post_clean(self):
        # Django reports the password rules under the confirmation field; show them under
        # « Mot de passe », where the user types the password.
        super(auth_forms.BaseUserCreationForm, self)._post_clean()
        self.validate_password_for_user(self.instance, password_field_name="password1")


class LoginForm(FormulaireDsfr, auth_forms.AuthenticationForm):
    """« Me connecter » (guide §3.2.2); an account not yet activated is told so."""

    error_messages = {
        "invalid_login": "Identifiant ou mot de passe incorrect. Attention, les majuscules et "
        "minuscules sont distinguées.",
        "inactive": MESSAGE_COMPTE_INACTIF,
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Identifiant"
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].label = "Mot de passe"
        borner(self.fields["password"], LONGUEUR_MOT_DE_PASSE)

    def clean(self):
        try:
            return super().clean()
        except ValidationError as error:
            # ModelBackend rejects inactive accounts like a wrong password; tell the owner why.
            if error.code == "invalid_login" and self._compte_inactif_mot_de_passe_juste():
                raise ValidationError(self.error_messages["inactive"], code="inactive") from error
            raise

    def _compte_inactif_mot_de_passe_juste(self) -> bool:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        user = get_user_model()._default_manager.filter(username=username).first()
        return bool(user and not user.is_active and user.check_password(password))


class EmailForm(FormulaireDsfr):
    email = forms.EmailField(
        label="Adresse électronique",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ResendActivationForm(EmailForm):
    """« Renvoyer le lien d'activation »."""


class PasswordResetForm(FormulaireDsfr, auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label="Adresse électronique",
        max_length=254,
        help_text="L'adresse électronique de votre compte.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class SetPasswordForm(FormulaireDsfr, auth_forms.SetPasswordForm):
    new_password1, new_password2 = auth_forms.SetPasswordMixin.create_password_fields(
        label1="Nouveau mot de passe", label2="Confirmation du nouveau mot de passe"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password2"].help_text = "Saisissez le même mot de passe, pour vérification."
        for name in ("new_password1", "new_password2"):
            borner(self.fields[name], LONGUEUR_MOT_DE_PASSE)


class RechercheServicesForm(FormulaireDsfr):
    """The search bar of « Services en ligne » (a GET form): an invalid query searches nothing."""

    q = forms.CharField(label="Rechercher un service", required=False, max_length=100)

    def recherche(self) -> str:
        return self.cleaned_data["q"] if self.is_valid() else ""


class DemandeHabilitationForm(FormulaireDsfr):
    """« Demander mon habilitation »: the PAE of the chosen département receives the request."""

    departement = ChoixModele(
        label="Votre département",
        queryset=Departement.objects.none(),
        empty_label="Sélectionnez votre département",
        help_text=("Votre demande est transmise au pôle d'action économique (PAE) de ce département."),
        error_messages={"required": "Sélectionnez votre département."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].queryset = selectors.departements()


class CalendrierForm(FormulaireDsfr):
    """« Générer l'adresse » / « Régénérer l'adresse »: no field; the form carries the CSRF check."""
