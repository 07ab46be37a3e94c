"""« Jetons d'accès »: the user's personal API tokens (create, see once, list, revoke).

Certified and habilitated operators and customs officers (accounts.access); another user's token is a 404.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import operateur_habilite_ou_agent_required
from api import selectors, services
from api.forms import JetonForm, RevocationJetonForm


@operateur_habilite_ou_agent_required
@require_http_methods(["GET", "POST"])
@never_cache
def jetons(request):
    """The list and « Créer un jeton ». A token just created is shown on the answer to its POST, once:
    it is never stored (only its SHA-256), nor put in the session."""
    form = JetonForm(request.POST if request.method == "POST" else None, user=request.user)
    cree = token = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                cree, token = services.creer_jeton(user=request.user, **form.cleaned_data)
            except services.JetonRefuse as exc:
                form.add_error(None, str(exc))
                status = 422
            else:
                messages.success(request, f"Le jeton « {cree.nom} » a été créé.")
                form = JetonForm(user=request.user)
        else:
            status = 422
    return render(
        request,
        "api/jetons.html",
        {
            "title": "Jetons d'accès",
            "form": form,
            "jeton_cree": cree,
            "valeur": token,
            "jetons": list(selectors.jetons_de(request.user)),
        },
        status=status,
    )


@operateur_habilite_ou_agent_required
@require_POST
def revoquer(request, pk: int):
    jeton = get_object_or_404(selectors.jetons_de(request.user), pk=pk)
    form = RevocationJetonForm(request.POST)
    if form.is_valid():
        services.revoquer_jeton(jeton=jeton, by=request.user)
        messages.success(request, f"Le jeton « {jeton.nom} » a été révoqué : il ne fonctionne plus.")
    return redirect("jetons:liste")
