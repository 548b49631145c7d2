"""Every error in the admin is the admin's own page, in the operator's language: never Flask's
unstyled HTML, never JSON for a document load."""

from __future__ import annotations

from typing import Any

from tests.admin import factories


def _is_admin_page(response: Any, lang: str) -> str:
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert f'<html lang="{lang}">' in text
    assert "admin.css" in text  # the admin's own stylesheet
    assert "<title>404 Not Found</title>" not in text and "Werkzeug" not in text
    return text


def test_another_stores_member_is_a_styled_404_in_german(shops: Any, admin_get: Any) -> None:
    us_member = factories.member(shops["us"], "jane@example.com")
    response = admin_get(f"/admin/members/{us_member.id}", shop="eu", locale="de")
    assert response.status_code == 404
    text = _is_admin_page(response, "de")
    assert "Nicht gefunden" in text
    assert "Not Found" not in text
    assert "locale=de" in text  # the way back keeps the language


def test_an_unknown_admin_page_is_the_admins_404(shops: Any, admin_get: Any) -> None:
    response = admin_get("/admin/no-such-page", shop="eu", locale="ja")
    assert response.status_code == 404
    text = _is_admin_page(response, "ja")
    assert "見つかりません" in text


def test_a_wrong_method_is_the_admins_405(shops: Any, client: Any) -> None:
    response = client.delete("/admin/members?locale=ko")
    assert response.status_code == 405
    text = _is_admin_page(response, "ko")
    assert "허용되지 않는" in text


def test_a_bad_token_is_the_admins_refusal_in_the_operators_language(
    shops: Any, admin_post: Any
) -> None:
    response = admin_post(
        "/admin/settings",
        {"section": "program"},
        shop="eu",
        token="not-a-token",
        query={"locale": "de"},
    )
    assert response.status_code == 401
    text = _is_admin_page(response, "de")
    assert "Not signed in" not in text and "Your session expired" not in text


def test_a_crash_is_the_admins_500_page(
    shops: Any, admin_get: Any, monkeypatch: Any, app: Any
) -> None:
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    from plugin.admin.views import members

    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("kaputt")

    monkeypatch.setattr(members, "render", boom)
    response = admin_get("/admin/members", shop="eu", locale="de")
    assert response.status_code == 500
    text = _is_admin_page(response, "de")
    assert "kaputt" not in text
    assert "Etwas ist schiefgelaufen" in text


def test_a_bad_request_is_the_admins_400_page(shops: Any, client: Any, app: Any) -> None:
    from werkzeug.exceptions import BadRequest

    from plugin.admin.errors import error_page

    with app.test_request_context("/admin/members?locale=de"):
        page = error_page(BadRequest())
    assert page.status_code == 400
    assert "Ungültige Anfrage" in page.get_data(as_text=True)


def test_api_errors_stay_json(shops: Any, client: Any) -> None:
    response = client.get("/proxy/no-such-thing")
    assert response.status_code == 404
    assert response.is_json


def test_a_staff_member_without_access_gets_the_admins_403_in_korean(
    shops: Any, admin_get: Any, admin_post: Any
) -> None:
    for user in ("1", "2"):  # staff are known once they have opened the app
        assert admin_get("/admin/", user=user).status_code == 200
    restricted = admin_post("/admin/staff/restrict", {"keep": ["2"], "confirmed": "1"}, user="1")
    assert restricted.status_code == 303
    response = admin_get("/admin/", user="3", locale="ko")
    assert response.status_code == 403
    text = _is_admin_page(response, "ko")
    assert "이 스토어에 대한 접근 권한이 없습니다" in text
    assert "No access to this store" not in text


def test_a_too_large_upload_is_the_admins_413_page(shops: Any, admin_post: Any) -> None:
    import io

    body = b"email\n" + b"x" * (21 * 1024 * 1024)
    response = admin_post(
        "/admin/import",
        {"file": (io.BytesIO(body), "old.csv")},
        content_type="multipart/form-data",
        query={"locale": "de"},
    )
    assert response.status_code == 413
    text = _is_admin_page(response, "de")
    assert "Die Datei ist zu groß" in text
