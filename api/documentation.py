"""The documentation page (Swagger UI, from our static files: drf-spectacular-sidecar, no CDN).

Under the site's own Content-Security-Policy, unrelaxed: the page loads its init script from its own URL
(`?script`, SpectacularSwaggerSplitView) and its style from a file (templates/api/swagger_ui.html instead
of drf-spectacular's, which has an inline <style>). Swagger UI sets its styles through the DOM, which the
policy allows (tests/browser/test_api_docs.py: no violation, « Try it out » included).
"""

from drf_spectacular.views import SpectacularSwaggerSplitView


class Documentation(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    title = "API SOPRANO/REX — documentation"
    url_name = "api:schema"


documentation = Documentation.as_view()
