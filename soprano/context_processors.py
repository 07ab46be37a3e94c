from django.conf import settings


class _SiteConfig:
    """What the DSFR templates read as SITE_CONFIG, without a database query per page."""

    site_title = "SOPRANO/REX"
    site_tagline = "Demande d'enregistrement des exportateurs enregistrés (REX)"
    header_brand_html = "République<br>française"
    footer_brand_html = "République<br>française"
    footer_description = (
        "Téléservice de la direction générale des douanes et droits indirects : "
        "enregistrement des exportateurs dans le système REX de l'Union européenne."
    )
    beta_tag = False
    mourning = False
    notice_title = ""
    notice_description = ""
    accessibility_status = "NON"  # no RGAA audit yet: see /accessibilite/
    operator_logo_file = None
    operator_logo_alt = ""


SITE_CONFIG = _SiteConfig()


def site(request):
    return {"SITE_CONFIG": SITE_CONFIG, "DEBUG": settings.DEBUG}
