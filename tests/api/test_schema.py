"""The OpenAPI schema validates with no warning; the documentation page is served under the strict CSP."""

import re
from io import StringIO

from django.core.management import call_command

import pytest
import yaml

pytestmark = pytest.mark.django_db

# Every operation of the API (tests/api/test_matrice_api.py has a row for each).
CHEMINS = {
    "/api/v1/moi/",
    "/api/v1/demandes/",
    "/api/v1/demandes/{id}/",
    "/api/v1/demandes/{id}/messages/",
    "/api/v1/demandes/{id}/documents/{document_pk}/",
    "/api/v1/demandes/{id}/autorisation.pdf",
    "/api/v1/nomenclature/",
    "/api/v1/agent/file/",
    "/api/v1/agent/demandes/{id}/",
    "/api/v1/agent/demandes/{id}/documents/{document_pk}/",
    "/api/v1/agent/demandes/{id}/autorisation.pdf",
}


def test_the_schema_validates_without_warnings(tmp_path):
    fichier = tmp_path / "schema.yaml"
    erreurs = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(fichier), stderr=erreurs)
    assert erreurs.getvalue() == ""
    schema = yaml.safe_load(fichier.read_text())
    assert schema["info"]["title"] == "API SOPRANO/REX" and schema["info"]["version"] == "v1"
    assert set(schema["paths"]) == CHEMINS | CHEMINS_ECRITURE
    assert schema["components"]["securitySchemes"]["jeton"]["scheme"] == "bearer"
    # Every error is documented as a problem.
    liste = schema["paths"]["/api/v1/demandes/"]["get"]["responses"]
    assert set(liste["401"]["content"]) == {"application/problem+json"}


def test_anyone_reads_the_schema(client):
    response = client.get("/api/v1/schema/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json()["info"]["description"].startswith("L'API du téléservice SOPRANO/REX")


def test_the_documentation_page_has_no_inline_script_and_no_cdn(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    politique = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in politique.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in politique
    # Every script is a file of ours: no inline code, nothing from another site.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.S)
    assert len(scripts) == 3
    assert all('src="/' in attributs and not contenu.strip() for attributs, contenu in scripts)
    assert "<style" not in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "nothing from a CDN"
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page


def test_the_documentation_script_is_served_from_its_own_url(client):
    page = client.get("/api/v1/docs/").content.decode()
    url_script = re.findall(r'<script src="([^"]+)"', page)[-1].replace("&amp;", "&")
    assert url_script.startswith("/api/v1/docs/?") and "script" in url_script
    script = client.get(url_script)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()


def test_the_page_keeps_the_sites_csp(client):
    """Swagger UI needs no inline script nor inline style: the policy is the site's, unrelaxed."""
    politique = client.get("/api/v1/docs/")["Content-Security-Policy"]
    assert politique == client.get("/")["Content-Security-Policy"]
    assert "unsafe" not in politique


def test_every_operation_is_described_in_french(client):
    """Each operation has its French summary and description; no docstring of ours (English) leaks into
    the schema."""
    schema = client.get("/api/v1/schema/", headers={"Accept": "application/json"}).json()
    for chemin, operations in schema["paths"].items():
        for methode, operation in operations.items():
            assert operation.get("summary") and operation.get("description"), f"{methode} {chemin}"
    texte = str(schema)
    for anglais in (" the ", " which ", "never a ", "request "):
        assert anglais not in texte, anglais


# The paths the writes add (tests/api/test_matrice_ecriture.py has a row for each of their operations).
CHEMINS_ECRITURE = {
    "/api/v1/demandes/{id}/documents/",
    "/api/v1/demandes/{id}/soumettre/",
    "/api/v1/demandes/{id}/complement/",
    "/api/v1/demandes/{id}/modification/",
    "/api/v1/bureaux/",
    "/api/v1/cadres/",
    "/api/v1/clients/",
}
