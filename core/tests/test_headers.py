"""Security headers on every page: a Content-Security-Policy of the project's own assets."""

import pytest

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy(grid_tree, client):
    client.force_login(grid_tree.v1_leader)
    for url in ("/", "/accounts/login/", f"/grids/{grid_tree.v1.code}/"):
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        directives = {
            part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()
        }
        assert directives["default-src"] == ["'self'"]
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == [
            "'none'"
        ]
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_no_template_carries_inline_script_or_handlers():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+\s*=", text), path
        assert " style=" not in text, path
