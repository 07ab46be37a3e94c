"""The deployment files for several nodes (docker-compose.yml, docker/Caddyfile, docker/entrypoint.sh,
Dockerfile) say what docs/exploitation.md promises: no docker engine runs here, so their structure is read
and the proxy's configuration is validated by a real Caddy."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
ENTRYPOINT = (ROOT / "docker" / "entrypoint.sh").read_text()
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _role(nom: str) -> str:
    """The entrypoint's branch for a role: the lines between `  role)` and its `;;`."""
    return re.search(rf"^  {nom}\)\n(.*?)^    ;;", ENTRYPOINT, re.M | re.S)[1]


def test_migrations_run_once_before_the_nodes_and_workers():
    migrate = SERVICES["migrate"]
    assert migrate["command"] == ["migrate"] and migrate["restart"] == "no"
    assert "manage.py migrate" in _role("migrate") and "load_reference_data" in _role("migrate")
    for nom in ("web", "worker", "worker-courriels", "worker-pdf", "beat"):
        assert SERVICES[nom]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, nom
    assert "migrate" not in _role("web") and "collectstatic" not in _role("web")


def test_static_files_are_collected_in_the_image_and_dependencies_come_from_the_lock():
    assert re.search(r"^RUN .*manage\.py collectstatic", DOCKERFILE, re.M)
    assert "pip install --require-hashes -r requirements/production.txt" in DOCKERFILE


def test_web_nodes_are_reached_only_through_the_proxy():
    web, proxy = SERVICES["web"], SERVICES["proxy"]
    assert "ports" not in web, "no node is published: scaling web gives no port clash"
    assert "container_name" not in web
    assert {p.split(":")[-1] for p in proxy["ports"]} == {"80", "443"}
    assert proxy["depends_on"]["web"] == {"condition": "service_healthy"}
    assert "readyz" in " ".join(web["healthcheck"]["test"])
    # The client's address is read only from the proxy's network.
    environnement = COMPOSE["x-app"]["environment"]
    assert environnement["TRUSTED_PROXIES"] == environnement["FORWARDED_ALLOW_IPS"]
    assert "--forwarded-allow-ips" in _role("web")


def test_each_queue_has_workers_of_its_own_and_beat_is_single():
    queues = {
        nom: SERVICES[nom]["environment"]["CELERY_QUEUES"] for nom in SERVICES if nom.startswith("worker")
    }
    assert sorted(queues.values()) == ["courriels", "defaut", "pdf"]
    assert '--queues="${CELERY_QUEUES' in _role("worker")
    assert SERVICES["beat"]["deploy"]["replicas"] == 1
    for nom in queues:
        assert "inspect ping" in " ".join(SERVICES[nom]["healthcheck"]["test"])


def test_the_s3_store_is_optional_and_private():
    assert SERVICES["minio"]["profiles"] == ["s3"] and SERVICES["minio-bucket"]["profiles"] == ["s3"]
    assert "anonymous set none" in " ".join(SERVICES["minio-bucket"]["entrypoint"])
    assert "ports" not in SERVICES["minio"], "the bucket is reached by the application only"
    environnement = COMPOSE["x-app"]["environment"]
    for variable in ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"):
        assert variable in environnement


def test_caddy_validates_the_proxy_configuration():
    caddy = shutil.which("caddy")
    if not caddy:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("caddy is not installed: run `make system-deps`.", pytrace=False)
        pytest.skip("caddy is not installed: run `make system-deps`.")
    resultat = subprocess.run(
        [caddy, "validate", "--config", str(ROOT / "docker" / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        env={**os.environ, "SITE_ADDRESS": "soprano-rex.douane.gouv.fr", "HOME": "/tmp"},
        check=False,
    )
    assert resultat.returncode == 0, resultat.stderr[-2000:]
    assert "Valid configuration" in resultat.stdout + resultat.stderr
    caddyfile = (ROOT / "docker" / "Caddyfile").read_text()
    assert "dynamic a web 8000" in caddyfile and "health_uri /healthz" in caddyfile
    assert re.search(r"@sante path /healthz /readyz\s+respond @sante 404", caddyfile)
