"""An S3-compatible server for the tests: moto in server mode on a free port of this machine.

The web process (the test itself, or gunicorn) and separate Celery worker processes reach it over HTTP
like a real object store; nothing is mocked inside the code under test.
"""

import logging
import secrets
import socket
from dataclasses import dataclass

import boto3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ObjectStore:
    endpoint: str
    access_key: str = "test-access-key"
    secret_key: str = "test-secret-key"  # noqa: S105 - moto accepts any
    region: str = "us-east-1"

    def client(self):
        return boto3.client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key, region_name=self.region,
        )  # fmt: skip

    def new_bucket(self) -> str:
        name = f"crm-test-{secrets.token_hex(4)}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def environment(self, bucket: str) -> dict[str, str]:
        """What a process is given to keep its files (and backups) in ``bucket``."""
        return {
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": self.region,
            "S3_ACCESS_KEY_ID": self.access_key,
            "S3_SECRET_ACCESS_KEY": self.secret_key,
        }

    def storages(self, bucket: str, base: dict) -> dict:
        """``STORAGES`` for the test process itself, as crm/settings/base.py builds them from the environment."""
        options = {
            "bucket_name": bucket, "endpoint_url": self.endpoint, "region_name": self.region,
            "access_key": self.access_key, "secret_key": self.secret_key, "signature_version": "s3v4",
        }  # fmt: skip
        return {
            **base,
            "default": {"BACKEND": "crm.storage.PrivateObjectStorage", "OPTIONS": {**options, "location": "media"}},
            "backups": {"BACKEND": "crm.storage.ObjectStorage", "OPTIONS": {**options, "location": "backups"}},
        }


def start_server():
    """(server, ObjectStore): a moto server in a thread of this process; call ``server.stop()`` when done."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, ObjectStore(endpoint=f"http://127.0.0.1:{port}")
