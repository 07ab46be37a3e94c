"""A real S3-compatible HTTP server for the tests (moto's standalone server, in its own process).

`serveur_s3()` starts one on a free port and yields its endpoint; `stockage_s3(endpoint, bucket)` is the
STORAGES["default"] entry the settings build from S3_* variables, pointed at it; `variables_s3` gives those
variables for a process started by a test (web nodes, workers).
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config

from soprano.settings.stockage import stockage_s3

CLE = "soprano-tests"
SECRET = "soprano-tests-secret"  # noqa: S105 - the test server's own, accepted whatever it is
REGION = "eu-west-3"
READY_TIMEOUT_S = 30


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _indisponible(raison: str):
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"The S3 tests must run in CI: {raison}", pytrace=False)
    pytest.skip(raison)


@contextlib.contextmanager
def serveur_s3():
    """moto_server on 127.0.0.1, stopped at the end; its log is shown if it does not start."""
    binaire = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    if not binaire:
        _indisponible("moto_server is not installed (moto[server], see requirements/dev.txt).")
    port = port_libre()
    journal = Path(tempfile.mkstemp(prefix="soprano-moto-", suffix=".log")[1])
    with open(journal, "wb") as sortie:
        process = subprocess.Popen(
            [binaire, "-H", "127.0.0.1", "-p", str(port)], stdout=sortie, stderr=subprocess.STDOUT
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"moto_server exited:\n{journal.read_text()[-3000:]}", pytrace=False)
            with contextlib.suppress(requests.ConnectionError):
                requests.get(endpoint, timeout=1)
                break
            if time.monotonic() > deadline:
                pytest.fail(f"moto_server did not answer:\n{journal.read_text()[-3000:]}", pytrace=False)
            time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        journal.unlink(missing_ok=True)


def client_s3(endpoint: str):
    """A boto3 client of the test server, to look into the bucket behind the application's back."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CLE,
        aws_secret_access_key=SECRET,
        config=Config(s3={"addressing_style": "path"}),
    )


def creer_bucket(endpoint: str, bucket: str) -> None:
    client_s3(endpoint).create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})


def objets(endpoint: str, bucket: str) -> dict[str, bytes]:
    """{key: content} of every object in the bucket."""
    client = client_s3(endpoint)
    contenus = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entree in page.get("Contents", ()):
            contenus[entree["Key"]] = client.get_object(Bucket=bucket, Key=entree["Key"])["Body"].read()
    return contenus


def variables_s3(endpoint: str, bucket: str) -> dict[str, str]:
    """The environment a process needs to store its files in the bucket (soprano/settings/base.py)."""
    return {
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": CLE,
        "S3_SECRET_ACCESS_KEY": SECRET,
    }


def stockage_s3_test(endpoint: str, bucket: str) -> dict:
    """The STORAGES setting that production builds from `variables_s3(endpoint, bucket)`."""
    return {
        "default": stockage_s3(variables_s3(endpoint, bucket)),
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
