"""System checks of the upload scanner: `manage.py check` refuses a CLAMAV_URL it cannot read, and
`manage.py check --deploy` warns when uploads are not scanned at all."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from rex.documents import antivirus


@register(Tags.security)
def antivirus_configure(app_configs, **kwargs):
    if settings.CLAMAV_URL == antivirus.SANS_ANTIVIRUS:
        return []
    try:
        antivirus.client(settings.CLAMAV_URL)
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="rex.E001")]
    return []


@register(Tags.security, deploy=True)
def antivirus_active(app_configs, **kwargs):
    if settings.CLAMAV_URL != antivirus.SANS_ANTIVIRUS:
        return []
    return [
        Warning(
            "CLAMAV_URL=aucun: uploaded documents are not scanned for malware.",
            hint="Point CLAMAV_URL at clamd (tcp://clamav:3310 in docker-compose.yml, or "
            "unix:///var/run/clamav/clamd.ctl).",
            id="rex.W001",
        )
    ]
