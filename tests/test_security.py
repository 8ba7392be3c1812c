import pytest

pytestmark = pytest.mark.django_db


def test_pages_carry_security_headers(client):
    response = client.get("/fi/")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_content_security_policy_allows_only_our_own_scripts_and_styles(client):
    policy = client.get("/fi/")["Content-Security-Policy"]
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in policy.split(";") if part.strip()
    )

    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_pages_have_no_inline_script_or_style(client):
    content = client.get("/fi/").content.decode()

    assert "<script>" not in content
    assert "<style" not in content
    assert ' style="' not in content


def test_not_found_page_is_translated(client):
    response = client.get("/sv/no-such-page/")

    assert response.status_code == 404
    assert "Sidan hittades inte" in response.content.decode()


def test_server_error_page_renders_without_request_or_database(rf, settings):
    from django.views.defaults import server_error

    response = server_error(rf.get("/en/"))

    assert response.status_code == 500
    assert "<html lang=" in response.content.decode()


def test_form_security_failure_page_is_translated(client, settings):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/en/admin/login/", {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert "The form expired" in response.content.decode()
