"""Portal checks: operator pages vs the customs officers' back-office.

One predicate per permission (used by views and templates), and the decorators built on them. A user
who may not see a page yet is sent to the page that explains his next step, never to an error page.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect

MESSAGE_AGENT = (
    "Cette page est réservée aux opérateurs : vous êtes redirigé vers le back-office des agents des douanes."
)
MESSAGE_NON_CERTIFIE = (
    "Pour accéder au téléservice SOPRANO/REX, votre compte doit d'abord être certifié "
    "« Opérateur douane » par votre pôle d'action économique (PAE)."
)
MESSAGE_NON_HABILITE = (
    "Pour accéder au téléservice SOPRANO/REX, vous devez être habilité au téléservice SOPRANO."
)


def est_agent(user) -> bool:
    return user.is_authenticated and user.est_agent


def peut_demander_habilitation(user) -> bool:
    return user.is_authenticated and not user.est_agent and user.est_certifie and not user.est_habilite


def peut_acceder_soprano(user) -> bool:
    return user.is_authenticated and not user.est_agent and user.est_habilite


def redirect_agent(request):
    messages.info(request, MESSAGE_AGENT)
    return redirect("agent:file")


def operateur_required(view):
    """Login required; a customs officer is sent to the back-office."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if est_agent(request.user):
            return redirect_agent(request)
        return view(request, *args, **kwargs)

    return wrapper


def operateur_habilite_required(view):
    """Login required; certified and habilitated operators only (guide §2, §3.2.3).

    Officer → back-office; not certified → « Mon tableau de bord » (how to get certified);
    certified but not habilitated → SOPRANO home (how to get the habilitation).
    """

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if est_agent(request.user):
            return redirect_agent(request)
        return _operateur_habilite(request) or view(request, *args, **kwargs)

    return wrapper


def operateur_habilite_ou_agent_required(view):
    """The pages of the request form (form, documents, recap), which customs officers also use to key
    in a paper form (guide §5, « À noter »). An officer passes this portal check; the view's selector
    (rex.selectors.demandes_formulaire) then lets him reach only his service's paper drafts.
    """

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if est_agent(request.user):
            return view(request, *args, **kwargs)
        return _operateur_habilite(request) or view(request, *args, **kwargs)

    return wrapper


def _operateur_habilite(request):
    """None for a certified and habilitated operator; otherwise the page explaining his next step."""
    if not request.user.est_certifie:
        messages.info(request, MESSAGE_NON_CERTIFIE)
        return redirect("accounts:dashboard")
    if not request.user.est_habilite:
        messages.info(request, MESSAGE_NON_HABILITE)
        return redirect("accounts:soprano_home")
    return None


def agent_required(view):
    """Login required; anyone but a customs officer gets a 404 (the back-office is not shown)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not est_agent(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
