"""Media in S3-compatible object storage, against a real S3 server (moto's server mode) that
the test starts on 127.0.0.1 and stops afterwards."""

import io
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from lantern.env import media_storage_config

pytestmark = pytest.mark.django_db
BUCKET = "lantern-media-test"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    pytest.importorskip("moto.server", reason="moto (requirements-dev.txt) runs the S3 server")
    import boto3

    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the S3 server did not start") from None
                time.sleep(0.2)
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",  # noqa: S106 (the local test server's)
        )
        s3.create_bucket(Bucket=BUCKET)
        yield endpoint, s3
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def s3_media(s3_endpoint, settings, monkeypatch):
    """MEDIA_STORAGE=s3 and the S3_* variables, read the way the settings read them."""
    endpoint, s3 = s3_endpoint
    for name, value in {
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test",
        "S3_PREFIX": "media",
    }.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage_config("s3")}
    return s3


def _keys(s3):
    return {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def _png(size=(64, 48)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (120, 160, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def test_an_editors_document_is_stored_in_the_bucket_and_served_by_signed_url(
    s3_media, client, make_user
):
    from wagtail.documents import get_document_model

    editor = make_user("editor@example.org", is_staff=True, is_superuser=True)
    client.force_login(editor)
    response = client.post(
        "/admin/documents/multiple/add/",
        {"files[]": SimpleUploadedFile("safeguarding-guide.txt", b"Refer with care.")},
    )
    assert response.status_code == 200
    assert response.json()["success"]
    document = get_document_model().objects.get(pk=response.json()["doc_id"])
    assert f"media/{document.file.name}" in _keys(s3_media)

    served = client.get(document.url)
    assert served.status_code == 302
    signed = served["Location"]
    assert signed.startswith(s3_media.meta.endpoint_url)
    assert "Signature=" in signed or "X-Amz-Signature=" in signed
    with urllib.request.urlopen(signed, timeout=10) as body:  # noqa: S310 (the local server)
        assert body.read() == b"Refer with care."


def test_an_image_and_its_rendition_live_in_the_bucket(s3_media):
    from wagtail.images import get_image_model

    image = get_image_model().objects.create(
        title="Calm shapes", file=SimpleUploadedFile("calm.png", _png())
    )
    rendition = image.get_rendition("fill-32x32")
    keys = _keys(s3_media)
    assert f"media/{image.file.name}" in keys
    assert f"media/{rendition.file.name}" in keys
    with urllib.request.urlopen(rendition.url, timeout=10) as body:  # noqa: S310
        assert PILImage.open(io.BytesIO(body.read())).size == (32, 32)


def test_readiness_checks_the_bucket(s3_media, client, settings):
    assert client.get("/readyz").json()["checks"]["storage"] == "ok"
    options = {**settings.STORAGES["default"]["OPTIONS"], "bucket_name": "no-such-bucket"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": options},
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"].startswith("failing: ")


def test_s3_storage_needs_a_bucket(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv("S3_BUCKET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="S3_BUCKET"):
        media_storage_config("s3")
