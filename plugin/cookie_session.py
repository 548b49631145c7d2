"""Flask's signed-cookie session, built only for the requests that carry the cookie.

Flask's default interface makes the cookie's signing serializer (key derivation, and a trial JSON
dump itsdangerous runs) at the start of *every* request, before it looks for a cookie. Only the
dev-mode pages ever set this cookie; webhooks, the app proxy and the extensions never carry it, and
the serializer was about a tenth of a webhook's CPU. A request without the cookie gets an empty
session; one that writes to it is saved exactly as before.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class CookieOnDemandSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # The raw header first: parsing cookies costs more than a request that has none needs.
        if app.secret_key and self.get_cookie_name(app) not in request.environ.get(
            "HTTP_COOKIE", ""
        ):
            return self.session_class()
        return super().open_session(app, request)
