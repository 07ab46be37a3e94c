"""Operator portal: home, sign-up, login, « Mon tableau de bord », services, SOPRANO home."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import selectors
from accounts import services as account_services
from accounts.access import (
    est_agent,
    operateur_habilite_ou_agent_required,
    operateur_required,
    peut_acceder_soprano,
    peut_demander_habilitation,
    redirect_agent,
)
from accounts.forms import (
    CalendrierForm,
    DemandeHabilitationForm,
    LoginForm,
    PasswordResetForm,
    RechercheServicesForm,
    ResendActivationForm,
    SetPasswordForm,
    SignupForm,
)
from accounts.models import CalendrierEcheances
from soprano.throttling import limiter

# /compte/activation/renvoyer/ reuses the activation URL: a signed token always holds a « : ».
RESEND_TOKEN = "renvoyer"
MESSAGE_LIEN_RENVOYE = (
    "Si un compte en attente d'activation correspond à cette adresse, un nouveau lien "
    "d'activation vient d'y être envoyé. Pensez à vérifier vos courriels indésirables."
)


@require_safe
def home(request):
    return render(request, "accounts/home.html", {"title": "Accueil"})


# Sign-up and activation --------------------------------------------------------------------------


@limiter("inscription", method="POST")
def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = account_services.inscrire(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            password=form.cleaned_data["password1"],
        )
        request.session["inscription_courriel"] = user.email
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form, "title": "S'inscrire"})


@require_safe
def signup_done(request):
    return render(
        request,
        "accounts/signup_done.html",
        {
            "title": "Activez votre compte",
            "courriel": request.session.get("inscription_courriel", ""),
            "jours": settings.ACCOUNT_ACTIVATION_DAYS,
        },
    )


@limiter("courriel", method="POST")
@limiter("courriel_adresse", key="post:email", method="POST")
def activate(request, token):
    """GET: activate with the e-mailed link. POST (or the « renvoyer » page): send a new link."""
    if token == RESEND_TOKEN or request.method == "POST":
        return _resend_activation(request)
    try:
        account_services.activer_compte(token=token)
    except account_services.LienActivationExpire as error:
        return _activation_refusee(request, etat="expire", error=error, title="Lien expiré")
    except account_services.CompteDejaActive as error:
        return _activation_refusee(request, etat="utilise", error=error, title="Compte déjà activé")
    except account_services.LienActivationInvalide as error:
        return _activation_refusee(request, etat="invalide", error=error, title="Lien non valide", status=400)
    messages.success(request, "Votre compte est activé. Vous pouvez maintenant vous connecter.")
    return redirect("accounts:login")


def _activation_refusee(request, *, etat, error, title, status=200):
    context = {"etat": etat, "erreur": str(error), "title": title, "form": ResendActivationForm()}
    return render(request, "accounts/activation.html", context, status=status)


def _resend_activation(request):
    form = ResendActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account_services.renvoyer_lien_activation(email=form.cleaned_data["email"])
        messages.success(request, MESSAGE_LIEN_RENVOYE)
        return redirect("accounts:login")
    return render(
        request,
        "accounts/activation_resend.html",
        {"title": "Renvoyer le lien d'activation", "form": form},
    )


# Login, logout, password reset -------------------------------------------------------------------


@method_decorator(limiter("connexion", method="POST"), name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": "Connexion"}

    def get_default_redirect_url(self):
        # Customs officers land on their back-office, operators on « Mon tableau de bord ».
        if est_agent(self.request.user):
            return resolve_url("agent:file")
        return super().get_default_redirect_url()


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "Vous êtes déconnecté.")
        return response


@method_decorator(limiter("courriel", method="POST"), name="dispatch")
@method_decorator(limiter("courriel_adresse", key="post:email", method="POST"), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = PasswordResetForm
    subject_template_name = "emails/accounts/password_reset_subject.txt"
    email_template_name = "emails/accounts/password_reset_body.txt"
    html_email_template_name = "emails/accounts/password_reset_body.html"
    success_url = reverse_lazy("accounts:password_reset_done")
    title = "Mot de passe oublié"

    def form_valid(self, form):
        # Absolute links in the mail come from SITE_URL, like every other mail of the service.
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    title = "Courriel envoyé"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    title = "Choisir un nouveau mot de passe"


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    title = "Mot de passe modifié"


# Operator pages (guide §3.2.3 to §3.4) -----------------------------------------------------------


@operateur_required
@require_safe
def dashboard(request):
    """« Mon tableau de bord »: the services of a certified account, or how to get certified."""
    user = request.user
    return render(
        request,
        "accounts/dashboard.html",
        {
            "title": "Mon tableau de bord",
            "services_en_ligne": selectors.services_du_tableau_de_bord(user=user),
            "demande_en_cours": selectors.demande_habilitation_en_cours(user=user),
            "peut_acceder_soprano": peut_acceder_soprano(user),
            "peut_demander_habilitation": peut_demander_habilitation(user),
        },
    )


@require_safe
def services(request):
    """The services catalogue, its search bar and the habilitation form (guide §3.2.3.1)."""
    if est_agent(request.user):
        return redirect_agent(request)
    return _catalogue(request)


def _catalogue(request, *, form=None):
    q = RechercheServicesForm(request.GET).recherche()
    user = request.user
    context = {
        "title": "Services en ligne",
        "q": q,
        "resultats": selectors.rechercher_services(q=q),
        "peut_acceder_soprano": peut_acceder_soprano(user),
        "peut_demander_habilitation": peut_demander_habilitation(user),
        "demande_en_cours": (
            selectors.demande_habilitation_en_cours(user=user) if user.is_authenticated else None
        ),
    }
    if context["peut_demander_habilitation"] and context["demande_en_cours"] is None:
        context["form"] = form or DemandeHabilitationForm()
    return render(request, "accounts/services.html", context)


@require_POST
@operateur_required
def demander_habilitation(request):
    """« Envoyer la demande »: record it for the PAE of the chosen département."""
    if not peut_demander_habilitation(request.user):
        messages.info(
            request,
            "Vous êtes déjà habilité au téléservice SOPRANO."
            if request.user.est_habilite
            else "Votre compte doit être certifié par votre PAE avant de demander l'habilitation.",
        )
        return redirect("accounts:dashboard")
    form = DemandeHabilitationForm(request.POST)
    if not form.is_valid():
        return _catalogue(request, form=form)
    departement = form.cleaned_data["departement"]
    demande, created = account_services.demander_habilitation(user=request.user, departement=departement)
    if not created:
        messages.info(
            request,
            "Vous avez déjà une demande d'habilitation en cours de traitement "
            f"(département {demande.departement}) : elle n'a pas été envoyée une seconde "
            "fois.",
        )
    elif departement.pae_courriel:
        pae = f" ({departement.pae_nom})" if departement.pae_nom else ""
        messages.success(
            request,
            "Votre demande d'habilitation a été envoyée au pôle d'action économique (PAE) du "
            f"département {departement}{pae}. "
            "Vous recevrez un courriel dès que vous serez habilité.",
        )
    else:
        messages.success(
            request,
            "Votre demande d'habilitation est enregistrée. Elle sera traitée par le pôle "
            "d'action économique (PAE) compétent ; vous recevrez un courriel dès que vous serez "
            "habilité.",
        )
    return redirect(reverse("accounts:services") + "#demande-habilitation")


@operateur_required
@require_safe
def soprano_home(request):
    """SOPRANO home (§3.4): « Origine – Entrer dans le domaine d'activité » once habilitated."""
    user = request.user
    return render(
        request,
        "accounts/soprano_home.html",
        {
            "title": "Accueil SOPRANO",
            "peut_acceder_soprano": peut_acceder_soprano(user),
            "peut_demander_habilitation": peut_demander_habilitation(user),
            "demande_en_cours": selectors.demande_habilitation_en_cours(user=user),
        },
    )


# « Calendrier des échéances » (operators and officers) -------------------------------------------


@operateur_habilite_ou_agent_required
@require_http_methods(["GET", "POST"])
@never_cache
def calendrier(request):
    """The secret address of the user's deadlines feed (iCalendar). As the API tokens: only its SHA-256 is
    stored, so the address is shown on the answer to the POST that (re)generates it, once; regenerating
    makes the previous address stop working."""
    form = CalendrierForm(request.POST if request.method == "POST" else None)
    adresse = ""
    if form.is_valid():
        secret = account_services.generer_calendrier(user=request.user)
        adresse = settings.SITE_URL.rstrip("/") + reverse("public:calendrier", args=[secret])
        messages.success(request, "La nouvelle adresse de votre calendrier a été générée.")
        form = CalendrierForm()
    return render(
        request,
        "accounts/calendrier.html",
        {
            "title": "Calendrier des échéances",
            "form": form,
            "adresse": adresse,
            "abonnement": CalendrierEcheances.objects.filter(user=request.user).first(),
        },
    )
