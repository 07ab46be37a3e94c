"""Template filters of the accounts pages (django-axes lockout page)."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def duree(delta: timedelta) -> str:
    """timedelta(minutes=90) → « 1 heure et 30 minutes »."""
    minutes = max(1, round(delta.total_seconds() / 60))
    heures, minutes = divmod(minutes, 60)
    parties = []
    if heures:
        parties.append(f"{heures} heure{'s' if heures > 1 else ''}")
    if minutes:
        parties.append(f"{minutes} minute{'s' if minutes > 1 else ''}")
    return " et ".join(parties)


@register.filter
def heure_apres(delta: timedelta) -> datetime:
    """The moment `delta` from now: when a locked-out user may try again."""
    return timezone.now() + delta


@register.filter
def nombre_erreurs(form) -> int:
    """Every error the summary lists: non-field errors plus each visible field's."""
    return len(form.non_field_errors()) + sum(len(field.errors) for field in form.visible_fields())
