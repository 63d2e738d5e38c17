"""The public form endpoints, `POST /api/feedback` and `POST /api/request-help`.

The same code runs in the dev server and, through `functions/`, on AWS Lambda.
Every request passes the same checks, in this order: method (405, by routing),
content type (415), size (413), origin (403), rate (429), then the honeypot and
the form's own validation (400).
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import unquote_to_bytes, urlsplit

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from . import feedback, ratelimit
from .forms import FeedbackForm, first_errors
from .urls import canonical_path

blueprint = Blueprint("api", __name__, url_prefix="/api")

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
REFUSALS = {
    403: ("This form can only be sent from the GP practice migration guide",
          "Go back to the guide and send the form from there."),
    405: ("This address only accepts forms", "Go back to the guide and use the form on the page."),
    413: ("What you sent is too long", "Go back, shorten your answer and send it again."),
    415: ("This form was sent in a way we cannot read", "Go back to the guide and use the form on the page."),
    429: ("You have sent a lot of forms in a short time", "Wait a minute, then try again."),
}
#: Every page the functions answer with; the build compiles them ahead (see templating.precompile).
PAGE_TEMPLATES = ("api/refused.jinja", "api/feedback.jinja", "api/feedback-thanks.jinja",
                  "api/request-help-dropped.jinja", "api/request-help-confirmation.jinja", "request-help.jinja")
UNREADABLE = ("Your answer contains characters we cannot read",
              "Go back, remove any unusual characters and send it again.")


def database():
    return current_app.extensions["database"]


def current_site():
    return current_app.extensions["site_source"].site


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


def client_address() -> str:
    # Netlify's proxy passes the reader's address in this header; otherwise the socket's.
    return request.headers.get("X-Nf-Client-Connection-Ip") or request.remote_addr or "unknown"


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


def form_endpoint(max_bytes: int):
    """Applies the checks every public form shares before the view sees the request."""

    def decorator(view):
        @wraps(view)
        def checked():
            if request.mimetype != FORM_CONTENT_TYPE:
                return refuse(415)
            if request.content_length is not None and request.content_length > max_bytes:
                return refuse(413)
            request.max_content_length = max_bytes  # also caps bodies sent without a length
            origin = request.headers.get("Origin") or _origin_of(request.headers.get("Referer", ""))
            if origin not in allowed_origins():
                return refuse(403)
            try:
                body = request.get_data(cache=True)  # read now, so an oversized chunked body is refused here
            except HTTPException as error:
                return refuse(error.code if error.code in REFUSALS else 413)
            if not _is_utf8_form(body):
                # Werkzeug would silently drop or keep such fields; we tell the sender instead.
                if wants_json():
                    return jsonify(error=UNREADABLE[0], status=400), 400
                heading, advice = UNREADABLE
                return render_template("api/refused.jinja", heading=heading, advice=advice, status=400), 400
            with database().transaction() as cursor:
                within_limit = ratelimit.allow(cursor, client_address())
            if not within_limit:
                return refuse(429)
            return view()

        return checked

    return decorator


@blueprint.app_errorhandler(405)
def method_not_allowed(error):
    # Routing fails before a blueprint is chosen, so this is registered app-wide; only /api/ takes POSTs.
    response, status = refuse(405)
    response = current_app.make_response((response, status))
    response.headers["Allow"] = "POST"
    return response


@blueprint.get("/feedback")
@blueprint.get("/request-help")
def get_form_endpoint():
    """Without this, a GET would fall through to the page routes and be redirected to a 404."""
    return method_not_allowed(None)


@blueprint.post("/feedback")
@form_endpoint(max_bytes=16 * 1024)
def post_feedback():
    form = FeedbackForm(request.form)
    site = current_site()
    permalink = canonical_path(form.page.data.strip() or "/") if form.page.data else ""
    if form.website.data:
        return _feedback_thanks(permalink, form.section.data or "")  # a bot: thank it and keep nothing
    located = site.section(permalink, (form.section.data or "").strip()) if permalink else None
    if located is None:
        if wants_json():
            return jsonify(errors={"section": "This section of the guide no longer exists"}), 400
        return render_template("api/refused.jinja", heading="We could not find that section of the guide",
                               advice="The page may have changed. Go back to the guide, reload the page and try again.",
                               status=400), 400
    page, section_title = located
    if not form.validate():
        errors = first_errors(form)
        if wants_json():
            return jsonify(errors=errors), 400
        return render_template("api/feedback.jinja", permalink=permalink, guide_page=page, section_id=form.section.data,
                               section_title=section_title, form=form, errors=errors), 400
    feedback.save(database(), permalink, form.section.data, form.answer.data, form.comment.data or "", page.version)
    return _feedback_thanks(permalink, form.section.data)


def _feedback_thanks(permalink: str, section_id: str):
    if wants_json():
        return jsonify(ok=True, message="Thank you for your feedback.")
    site = current_site()
    page = site.pages.get(permalink)
    return render_template("api/feedback-thanks.jinja", permalink=permalink if page else "/", guide_page=page,
                           section_id=section_id if page and section_id in page.sections else "")


@blueprint.post("/request-help")
@form_endpoint(max_bytes=64 * 1024)  # a 3,000-character message percent-encodes to far more than 16 KB
def post_request_help():
    from . import help_requests, outbox, request_help

    settings = current_app.config["SETTINGS"]
    form = request_help.new_form(request.form)
    if form.website.data:
        # A bot: thank it and keep nothing.
        return jsonify(ok=True) if wants_json() else render_template("api/request-help-dropped.jinja")
    if not form.validate():
        errors = first_errors(form)
        if wants_json():
            return jsonify(errors=errors), 400
        return request_help.render_form(form, errors, 400)
    stored = help_requests.store_request(database(), help_requests.cleaned(form), request_help.directory())
    try:
        outbox.deliver_due(database(), outbox.sender_for(settings), ids=stored.message_ids)
    except Exception:
        # The request and its messages are safely stored; `guide outbox retry` sends them later.
        current_app.logger.warning("sending for %s deferred to the outbox retry", stored.reference, exc_info=False)
    if wants_json():
        return jsonify(reference=stored.reference, partner=stored.partner.name, created=stored.created)
    return render_template("api/request-help-confirmation.jinja", reference=stored.reference,
                           partner=stored.partner, created=stored.created)
