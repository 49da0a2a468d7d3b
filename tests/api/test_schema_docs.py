"""The OpenAPI schema (JSON and YAML) and the docs page: vendored Swagger UI, no inline script (CSP)."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_schema_is_served_as_json_and_yaml_to_callers_only(api_for, rep_user, client):
    api = api_for(rep_user)
    as_json = api.get("/api/schema/", {"format": "json"})
    assert as_json.status_code == 200
    schema = as_json.json()
    assert schema["openapi"].startswith("3.") and "/api/v1/customers/" in schema["paths"]
    assert "/api/v1/customers/by-external-id/{external_id}/" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    # The docs page alone tells an integrator where the token comes from, how to page, upsert and verify.
    for needed in ("/settings/api/", "`next`", "by-external-id", "bulk", "/settings/webhooks/", "webhook-signature"):
        assert needed in schema["info"]["description"], needed
    as_yaml = api.get("/api/schema/", {"format": "yaml"})
    assert yaml.safe_load(as_yaml.content)["paths"].keys() == schema["paths"].keys()
    assert client.get("/api/schema/").status_code in (401, 403)


def test_the_docs_page_loads_swagger_from_static_files_with_no_inline_script(client_for, rep_user):
    client = client_for(rep_user)
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "script-src 'self'" in page["Content-Security-Policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html
    for src in re.findall(r'src="([^"]+)"', html):
        if src.startswith("/static/"):
            assert finders.find(src.removeprefix("/static/").split("?")[0]), src
    script_url = re.findall(r'src="([^"]+\?[^"]*script[^"]*)"', html)[0].replace("&amp;", "&")
    init = client.get(script_url)
    assert init.status_code == 200 and "javascript" in init["Content-Type"]
    assert "/api/schema/" in init.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in_for_the_docs(client):
    assert client.get(reverse("api:docs")).status_code == 302


def test_users_and_teams_are_read_only_with_minimal_fields(api_for, rep_user, manager):
    api = api_for(rep_user)
    rows = api.get("/api/v1/users/").json()["results"]
    assert {row["username"] for row in rows} >= {"alice", "mona"}
    assert set(rows[0]) == {"id", "username", "full_name", "team", "is_active"}
    assert api.get("/api/v1/teams/").json()["results"][0]["name"] == "East"
    assert api.post("/api/v1/users/", {"username": "x"}, format="json").status_code == 405
