"""« Notifications techniques »: a company's HTTPS addresses, their secret (shown once) and their log.

Certified and habilitated operators of a company only (accounts.access); another company's address is a
404 (webhooks.selectors).
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import operateur_habilite_required
from webhooks import livraison, selectors, services
from webhooks.forms import ActionForm, EndpointForm
from webhooks.models import TypeEvenement

CLE_SECRET = "webhooks_secret"  # the session key holding a new secret until its one display


@operateur_habilite_required
@require_http_methods(["GET", "POST"])
def liste(request):
    """The company's addresses and the form to register one; the new one's page shows its secret."""
    form = EndpointForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            endpoint = services.creer(by=request.user, **form.cleaned_data)
        except services.ActionRefusee as exc:
            form.add_error(None, str(exc))
        else:
            request.session[CLE_SECRET] = {"pk": endpoint.pk, "secret": endpoint.secret}
            messages.success(request, "L'adresse de notification a été enregistrée.")
            return redirect("webhooks:detail", pk=endpoint.pk)
    return render(
        request,
        "webhooks/liste.html",
        {
            "title": "Notifications techniques",
            "endpoints": selectors.endpoints(request.user).order_by("created_at", "id"),
            "form": form,
            "types": [t for t in TypeEvenement if t != TypeEvenement.PING],
        },
        status=422 if form.is_bound else 200,
    )


@operateur_habilite_required
@require_GET
def detail(request, pk: int):
    """An address: its secret once (just after its creation), its settings, its last attempts."""
    endpoint = get_object_or_404(selectors.endpoints(request.user), pk=pk)
    secret = None
    nouveau = request.session.get(CLE_SECRET)
    if nouveau and nouveau.get("pk") == endpoint.pk:
        secret = nouveau["secret"]
        del request.session[CLE_SECRET]
    return render(
        request,
        "webhooks/detail.html",
        {
            "title": f"Adresse de notification {endpoint}",
            "endpoint": endpoint,
            "secret": secret,
            "tentatives": selectors.journal(endpoint),
            "taille_journal": selectors.JOURNAL_TAILLE,
            "echecs_max": livraison.echecs_max(),
        },
    )


MESSAGES = {
    "tester": "Un événement de test (ping) a été envoyé : son résultat apparaît dans le journal ci-dessous.",
    "desactiver": "L'adresse a été désactivée : elle ne reçoit plus d'événements.",
    "reactiver": "L'adresse a été réactivée : les événements en attente lui seront envoyés.",
    "supprimer": "L'adresse de notification a été supprimée.",
}


@operateur_habilite_required
@require_POST
def action(request, pk: int):
    """« Tester », « Désactiver », « Réactiver », « Supprimer »."""
    endpoint = get_object_or_404(selectors.endpoints(request.user), pk=pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Cette action n'est pas reconnue : rien n'a été modifié.")
        return redirect("webhooks:detail", pk=endpoint.pk)
    nom = form.cleaned_data["action"]
    try:
        getattr(services, nom)(endpoint=endpoint, by=request.user)
    except services.ActionRefusee as exc:
        messages.error(request, str(exc))
        return redirect("webhooks:detail", pk=endpoint.pk)
    messages.success(request, MESSAGES[nom])
    if nom == "supprimer":
        return redirect("webhooks:liste")
    return redirect("webhooks:detail", pk=endpoint.pk)
