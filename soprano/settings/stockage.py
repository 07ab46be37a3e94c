"""The default file storage on an S3-compatible bucket (django-storages), built from S3_* variables.

The bucket stays private: no ACL is ever set on an object (the bucket's own policy must refuse public
access), and every download goes through a view that checks the user's rights first, then streams the
object. Variables:

S3_BUCKET             the bucket (required to use S3 at all)
S3_ENDPOINT_URL       a store other than AWS (MinIO, Ceph, OVHcloud, Scaleway…)
S3_REGION             its region
S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY
                      the keys; without them, boto3's own chain (AWS_* variables, instance role)
S3_PREFIX             a prefix inside the bucket (one bucket for several environments), none by default
S3_ADDRESSING_STYLE   path (default: what S3-compatible stores expect) or virtual
S3_CHIFFREMENT        server-side encryption asked for each object (AES256, aws:kms), none by default
"""

from collections.abc import Mapping


def stockage_s3(environ: Mapping[str, str]) -> dict:
    """The STORAGES["default"] entry for the bucket named by environ["S3_BUCKET"]."""
    options = {
        "bucket_name": environ["S3_BUCKET"],
        "endpoint_url": environ.get("S3_ENDPOINT_URL") or None,
        "region_name": environ.get("S3_REGION") or None,
        "access_key": environ.get("S3_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("S3_SECRET_ACCESS_KEY") or None,
        "location": environ.get("S3_PREFIX", ""),
        "default_acl": None,
        # Never overwrite: two files saved under one name become two objects (names are random anyway).
        "file_overwrite": False,
        # No link to an object is handed out; if one ever were, it would be signed and live a minute.
        "querystring_auth": True,
        "querystring_expire": 60,
        "addressing_style": environ.get("S3_ADDRESSING_STYLE", "path"),
        "signature_version": "s3v4",
    }
    if environ.get("S3_CHIFFREMENT"):
        options["object_parameters"] = {"ServerSideEncryption": environ["S3_CHIFFREMENT"]}
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
