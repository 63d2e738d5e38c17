"""The request guard: the checks every public form post passes before its view sees it.

In this order: method (405, by routing), content type (415), size (413, bodies sent without a
length included), the proxy's signature in production (403), origin (403), UTF-8 and NUL (400),
rate (429, with Retry-After and the form shown again as typed). The view then checks the honeypot
and the form's own fields (400), and counts a failure towards the stricter limit.

The Function URL is public, so nothing a request says about itself is believed unless Netlify
signed it: its proxy rule adds `X-Nf-Sign`, a JWT (HS256, issuer "netlify", 5 minutes) made with
the secret in `API_SIGNATURE_TOKEN`, issued (`iat`) in the last 5 minutes and, in production, by the
production deploy (`deploy_context`) of this site (`site_url`'s host, and `netlify_id` when
NETLIFY_SITE_ID is set; see `Settings.expected_proxy_claims`). Only a signed request's
`X-Nf-Client-Connection-Ip` names the reader; otherwise the socket address does (`guide serve`,
`guide preview`).
"""

from __future__ import annotations

import time
from datetime import datetime
from functools import wraps
from urllib.parse import unquote_to_bytes, urlsplit

from flask import current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from . import ratelimit

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
REFUSALS = {
    403: (
        "This form can only be sent from the GP practice migration guide",
        "Go back to the guide and send the form from there.",
    ),
    405: ("This address only accepts forms", "Go back to the guide and use the form on the page."),
    413: ("What you sent is too long", "Go back, shorten your answer and send it again."),
    415: ("This form was sent in a way we cannot read", "Go back to the guide and use the form on the page."),
    429: ("You have sent a lot of forms in a short time", "Wait a minute, then try again."),
}
SIGNATURE_HEADER = "X-Nf-Sign"
CLIENT_HEADER = "X-Nf-Client-Connection-Ip"
#: Netlify signs each proxied request with a token that lasts 5 minutes; clocks may differ by a little.
TOKEN_LIFETIME = 300
CLOCK_SKEW = 30
UNREADABLE = (
    "Your answer contains characters we cannot read",
    "Go back, remove any unusual characters and send it again.",
)


def database():
    return current_app.extensions["database"]


def current_site():
    return current_app.extensions["site_source"].site


def now() -> datetime:
    """The time by the app's `CLOCK` (the wall clock unless a test sets another): the rate limit's minute."""
    return current_app.config["CLOCK"]()


def wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def allowed_origins() -> set[str]:
    settings = current_app.config["SETTINGS"]
    origins = {_origin_of(settings.site_url)} | settings.extra_origins
    if not settings.is_production:
        origins.add(_origin_of(request.host_url))  # the dev server and preview post to themselves
    return origins


def signed_by_proxy() -> bool:
    """Whether Netlify's proxy signed this request with our secret (checked once per request)."""
    if "signed_by_proxy" not in g:
        secret = current_app.config["SETTINGS"].proxy_signing_secret
        token = request.headers.get(SIGNATURE_HEADER, "")
        import jwt  # here: the build imports the form views but never checks a request

        try:
            claims = jwt.decode(
                token, secret, algorithms=["HS256"], issuer="netlify", options={"require": ["exp", "iss", "iat"]}
            )
            g.signed_by_proxy = bool(secret) and _fresh_and_ours(claims)
        except jwt.InvalidTokenError:
            g.signed_by_proxy = False
    return g.signed_by_proxy


def _fresh_and_ours(claims: dict) -> bool:
    """A token made in the last few minutes, for no longer than Netlify's 5, and in production by the
    production deploy: a deploy preview built with the same secret cannot sign for the live forms, and a
    token with a far-off `exp` is still refused."""
    issued, expires = claims["iat"], claims["exp"]
    if not isinstance(issued, int | float) or not isinstance(expires, int | float):
        return False
    age = time.time() - issued
    if not -CLOCK_SKEW <= age <= TOKEN_LIFETIME + CLOCK_SKEW or expires - issued > TOKEN_LIFETIME + CLOCK_SKEW:
        return False
    settings = current_app.config["SETTINGS"]
    return not settings.is_production or _names_our_production_site(claims, settings.expected_proxy_claims)


def _names_our_production_site(claims: dict, expected: dict[str, str]) -> bool:
    """Every claim production expects is there with its value; `site_url` is compared by its host."""
    for name, value in expected.items():
        given = claims.get(name)
        if not isinstance(given, str):
            return False
        if (urlsplit(given).netloc.lower() if name == "site_url" else given) != value:
            return False
    return True


def client_address() -> str:
    """The reader's address: Netlify's header when Netlify signed the request, else the socket's."""
    if signed_by_proxy() and request.headers.get(CLIENT_HEADER):
        return request.headers[CLIENT_HEADER]
    return request.remote_addr or "unknown"


def count_failure(form: str) -> None:
    """A post that failed validation counts towards the stricter limit (see `ratelimit`)."""
    with database().transaction() as cursor:
        ratelimit.record_failure(cursor, client_address(), now=now(), form=form)


def _too_many(show_again, seconds: int):
    heading = REFUSALS[429][0]
    if wants_json():
        response = jsonify(error=heading, status=429, retry_after=seconds)
    else:
        message = f"{heading}. Wait {seconds} seconds, then send it again. What you typed is below."
        response = current_app.make_response(show_again(message))
    response.status_code = 429
    response.headers["Retry-After"] = str(seconds)
    return response


def refuse(status: int):
    heading, advice = REFUSALS[status]
    if wants_json():
        return jsonify(error=heading, status=status), status
    return render_template("api/refused.jinja", heading=heading, advice=advice, status=status), status


def _is_utf8_form(body: bytes) -> bool:
    try:
        unquote_to_bytes(body.replace(b"+", b" ")).decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _unreadable():
    # Werkzeug would silently drop or keep such fields; we tell the sender instead.
    if wants_json():
        return jsonify(error=UNREADABLE[0], status=400), 400
    heading, advice = UNREADABLE
    return render_template("api/refused.jinja", heading=heading, advice=advice, status=400), 400


def form_endpoint(max_bytes: int, form: str, show_again):
    """Applies the checks every public form shares before the view sees the request.

    `form` names the form for the rate limit; `show_again(message)` renders the form as it was
    typed with that message, for a reader who is asked to wait.
    """

    def decorator(view):
        @wraps(view)
        def checked():
            if request.mimetype != FORM_CONTENT_TYPE:
                return refuse(415)
            if request.content_length is not None and request.content_length > max_bytes:
                return refuse(413)
            # A body sent without a length (chunked) is read no further than one byte past the limit: Werkzeug
            # stops at the cap without an error, so a body that reaches that byte is over the limit.
            request.max_content_length = max_bytes + 1
            if current_app.config["SETTINGS"].is_production and not signed_by_proxy():
                return refuse(403)  # straight to the public Function URL, past Netlify: not from the guide
            origin = request.headers.get("Origin") or _origin_of(request.headers.get("Referer", ""))
            if origin not in allowed_origins():
                return refuse(403)
            try:
                body = request.get_data(cache=True)  # read now, so an oversized chunked body is refused here
            except HTTPException as error:
                return refuse(error.code if error.code in REFUSALS else 413)
            if len(body) > max_bytes:
                return refuse(413)
            if not _is_utf8_form(body) or b"\x00" in body or b"%00" in body:
                return _unreadable()  # NUL too: no database stores it as text
            moment = now()
            with database().transaction() as cursor:
                within_limit = ratelimit.allow(cursor, client_address(), now=moment, form=form)
            if not within_limit:
                return _too_many(show_again, ratelimit.retry_after(moment))
            return view()

        return checked

    return decorator
