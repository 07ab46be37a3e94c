"""The deadlines feed (iCalendar) at a user's secret address (« Calendrier des échéances », accounts).

No login: calendar software cannot sign in; the secret is the key. It is looked up by its SHA-256 (a
unique index: constant time, the secret itself never compared nor stored); a wrong or replaced secret, or
an account that may no longer see requests, is a bare 404. Two queries whatever the number of requests.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from icalendar import Alarm, Calendar, Event

from accounts.models import CalendrierEcheances
from rex import selectors
from soprano.throttling import limiter

# Only what the address's secret can be: token_urlsafe(32) gives 43 characters of this alphabet.
LONGUEUR_MAX_SECRET = 64
ALERTE_AVANT = timedelta(days=3)


def _calendrier(user, demandes, *, now) -> bytes:
    calendrier = Calendar()
    calendrier.add("prodid", "-//Douane//SOPRANO-REX//FR")
    calendrier.add("version", "2.0")
    calendrier.add("calscale", "GREGORIAN")
    calendrier.add("x-wr-calname", "SOPRANO/REX — dates limites de réponse")
    calendrier.add("x-wr-timezone", settings.TIME_ZONE)
    domaine = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "soprano"
    vue = "agent:detail" if user.est_agent else "rex:detail"
    for demande in demandes:
        lien = settings.SITE_URL.rstrip("/") + reverse(vue, args=[demande.pk])
        evenement = Event()
        # Stable per request and deadline: a new deadline is a new event, the same one is updated.
        evenement.add("uid", f"echeance-{demande.pk}-{int(demande.date_limite.timestamp())}@{domaine}")
        evenement.add("dtstamp", now)
        evenement.add("dtstart", demande.date_limite)
        evenement.add("dtend", demande.date_limite)
        evenement.add("summary", f"Date limite de réponse — {demande.numero}")
        evenement.add(
            "description",
            f"Demande REX {demande.numero} incomplète : sans réponse avant cette date, elle sera "
            f"automatiquement rejetée.\n{lien}",
        )
        evenement.add("url", lien)
        alarme = Alarm()
        alarme.add("action", "DISPLAY")
        alarme.add("description", f"Date limite de réponse dans 3 jours — {demande.numero}")
        alarme.add("trigger", -ALERTE_AVANT)
        evenement.add_component(alarme)
        calendrier.add_component(evenement)
    return calendrier.to_ical()


@require_GET
@limiter("calendrier")
def calendrier(request, secret: str):
    if len(secret) > LONGUEUR_MAX_SECRET or "\x00" in secret:
        raise Http404
    empreinte = hashlib.sha256(secret.encode()).hexdigest()
    abonnement = (
        CalendrierEcheances.objects.select_related("user", "user__entreprise")
        .filter(hash=empreinte, user__is_active=True)
        .first()
    )
    if abonnement is None or not (abonnement.user.est_agent or abonnement.user.est_habilite):
        raise Http404
    user = abonnement.user
    now = timezone.now()
    response = HttpResponse(
        _calendrier(user, selectors.echeances_calendrier(user), now=now),
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="soprano-rex-echeances.ics"'
    return response
