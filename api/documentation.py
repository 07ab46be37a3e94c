"""The documentation page (Swagger UI, from our static files: drf-spectacular-sidecar, no CDN).

Under the site's Content-Security-Policy: the page loads its init script from its own URL (`?script`,
SpectacularSwaggerSplitView) and its style from a file. Swagger UI sets style attributes on the elements
it draws: style-src is relaxed for this page only (scripts stay as strict as everywhere).
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularSwaggerSplitView


class Documentation(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    title = "API SOPRANO/REX — documentation"
    url_name = "api:schema"


documentation = csp_update({"style-src": [SELF, UNSAFE_INLINE]})(Documentation.as_view())
