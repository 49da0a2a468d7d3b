"""Marketing assets: checked uploads, tags, previews through the scope check, and the used-by list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketing.models import Asset

from .factories import CampaignFactory, EventFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64
PDF = b"%PDF-1.4\n%test\n"


def _upload(client, name, content, **extra):
    data = {"name": "", "kind": "image", "tags": "春季, expo ,expo", "description": "", **extra}
    return client.post(reverse("marketing:asset-create"), {**data, "file": SimpleUploadedFile(name, content)})


def test_upload_an_image_with_tags_and_usage(client_for, marketer):
    campaign = CampaignFactory()
    event = EventFactory(campaign=campaign)
    client = client_for(marketer)
    response = _upload(client, "banner.png", PNG, campaigns=[campaign.pk], events=[event.pk])
    asset = Asset.objects.get()
    assert response.url == asset.get_absolute_url()
    assert (asset.name, asset.content_type, asset.size) == ("banner.png", "image/png", len(PNG))
    assert asset.tags == ["expo", "春季"]
    detail = client.get(asset.get_absolute_url())
    html = detail.content.decode()
    assert reverse("marketing:asset-file", args=[asset.pk]) in html and "<img" in html
    assert campaign.name in html and event.theme in html
    file_response = client.get(reverse("marketing:asset-file", args=[asset.pk]))
    assert file_response["Content-Type"] == "image/png" and b"".join(file_response.streaming_content) == PNG


def test_pdf_is_previewed_in_a_frame(client_for, marketer):
    client = client_for(marketer)
    _upload(client, "brochure.pdf", PDF, kind="document")
    asset = Asset.objects.get()
    assert "<iframe" in client.get(asset.get_absolute_url()).content.decode()
    response = client.get(reverse("marketing:asset-file", args=[asset.pk]))
    assert response["X-Frame-Options"] == "SAMEORIGIN" and response["Content-Disposition"].startswith("inline")


def test_wrong_type_and_disguised_files_are_refused(client_for, marketer):
    client = client_for(marketer)
    assert "file" in _upload(client, "tool.exe", b"MZ\x90\x00").context["form"].errors
    assert "file" in _upload(client, "photo.png", b"MZ\x90\x00 disguised").context["form"].errors
    assert not Asset.objects.exists()


def test_too_large_files_are_refused(client_for, marketer, settings):
    settings.MARKETING_UPLOAD_MAX_BYTES = 10
    response = _upload(client_for(marketer), "banner.png", PNG)
    assert "larger than" in str(response.context["form"].errors["file"])
    assert not Asset.objects.exists()


def test_search_by_tag(client_for, marketer):
    client = client_for(marketer)
    _upload(client, "a.png", PNG, tags="spring")
    _upload(client, "b.png", PNG, tags="autumn")
    page = client.get(reverse("marketing:asset-list"), {"q": "spring"}).context["page"]
    assert [a.name for a in page] == ["a.png"]


def test_asset_list_query_count_stays_flat(client_for, marketer, django_assert_max_num_queries):
    client = client_for(marketer)
    for n in range(2):
        Asset.objects.create(name=f"a{n}", file="x.png", owner=marketer, content_type="image/png")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("marketing:asset-list"))
    for n in range(20):
        Asset.objects.create(name=f"b{n}", file="x.png", owner=marketer, content_type="image/png")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("marketing:asset-list"))
