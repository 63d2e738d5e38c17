"""The public form endpoints, `POST /api/feedback` and `POST /api/request-help`.

The same code runs in the dev server and, through `functions/forms.py`, on AWS Lambda. Every
post passes the request guard first (see `guard`).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request

from ..content.directory import Directory, Partner
from ..content.links import canonical_path
from . import feedback, help_requests, outbox
from .fields import first_errors
from .guard import count_failure, current_site, database, form_endpoint, refuse, wants_json
from .store import DatabaseUnavailable

blueprint = Blueprint("api", __name__, url_prefix="/api")

#: Every page the functions answer with; the build compiles them ahead (see templating.precompile).
PAGE_TEMPLATES = (
    "api/refused.jinja",
    "api/feedback.jinja",
    "api/feedback-thanks.jinja",
    "api/request-help-dropped.jinja",
    "api/request-help-confirmation.jinja",
    "request-help.jinja",
)


#: Seconds a help request may spend sending email before it answers: the rest is left to the scheduled
#: outbox function (Lambda times the request out at 15 s; a reader should not wait anything like that).
SEND_BUDGET = 3.0
#: Seconds a reader is asked to wait when the store is down.
RETRY_AFTER_DATABASE = 30


@blueprint.app_errorhandler(DatabaseUnavailable)
def database_unavailable(error):
    """The store is down: say so in the NHS style (or JSON), ask to try again later, keep nothing half-stored."""
    current_app.logger.warning("form store unavailable: %s", error)  # the error's kind only: no form data
    heading = "Sorry, there is a problem with the service"
    advice = "Your answer has not been saved. Try again in a few minutes."
    if wants_json():
        response = jsonify(error=heading, status=503)
    else:
        response = current_app.make_response(
            render_template("api/refused.jinja", heading=heading, advice=advice, status=503)
        )
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_DATABASE)
    return response


@blueprint.app_errorhandler(405)
def method_not_allowed(error):
    # Routing fails before a blueprint is chosen, so this is registered app-wide: it speaks for /api/ only.
    if not request.path.startswith(blueprint.url_prefix + "/"):
        return error
    response, status = refuse(405)
    response = current_app.make_response((response, status))
    response.headers["Allow"] = "POST"
    return response


@blueprint.get("/feedback")
@blueprint.get("/request-help")
def get_form_endpoint():
    """Without this, a GET would fall through to the page routes and be redirected to a 404."""
    return method_not_allowed(None)


def _feedback_again(message: str):
    """The section's feedback form as it was typed, with `message` (for a reader asked to wait)."""
    form = feedback.FeedbackForm(request.form)
    permalink = canonical_path(form.page.data or "/")
    located = current_site().section(permalink, form.section.data or "")
    if located is None:
        return refuse(429)[0]
    page, section_title = located
    return render_template(
        "api/feedback.jinja",
        permalink=permalink,
        guide_page=page,
        section_id=form.section.data,
        section_title=section_title,
        form=form,
        errors={"answer": message},
    )


def _help_request_again(message: str):
    """The help request form as it was typed, with `message` (for a reader asked to wait)."""
    return render_help_form(new_help_form(request.form), {"full_name": message})[0]


@blueprint.post("/feedback")
@form_endpoint(max_bytes=16 * 1024, form="feedback", show_again=_feedback_again)
def post_feedback():
    form = feedback.FeedbackForm(request.form)
    site = current_site()
    permalink = canonical_path(form.page.data.strip() or "/") if form.page.data else ""
    if form.website.data:
        return _feedback_thanks(permalink, form.section.data or "")  # a bot: thank it and keep nothing
    located = site.section(permalink, (form.section.data or "").strip()) if permalink else None
    if located is None:
        if wants_json():
            return jsonify(errors={"section": "This section of the guide no longer exists"}), 400
        return render_template(
            "api/refused.jinja",
            heading="We could not find that section of the guide",
            advice="The page may have changed. Go back to the guide, reload the page and try again.",
            status=400,
        ), 400
    page, section_title = located
    if not form.validate():
        count_failure("feedback")
        errors = first_errors(form)
        if wants_json():
            return jsonify(errors=errors), 400
        return render_template(
            "api/feedback.jinja",
            permalink=permalink,
            guide_page=page,
            section_id=form.section.data,
            section_title=section_title,
            form=form,
            errors=errors,
        ), 400
    feedback.save(database(), permalink, form.section.data, form.answer.data, form.comment.data or "", page.version)
    return _feedback_thanks(permalink, form.section.data)


def _feedback_thanks(permalink: str, section_id: str):
    if wants_json():
        return jsonify(ok=True, message="Thank you for your feedback.")
    site = current_site()
    page = site.pages.get(permalink)
    return render_template(
        "api/feedback-thanks.jinja",
        permalink=permalink if page else "/",
        guide_page=page,
        section_id=section_id if page and section_id in page.sections else "",
    )


@blueprint.post("/request-help")
# A 3,000-character message percent-encodes to far more than 16 KB.
@form_endpoint(max_bytes=64 * 1024, form="request-help", show_again=_help_request_again)
def post_request_help():
    settings = current_app.config["SETTINGS"]
    form = new_help_form(request.form)
    if form.website.data:
        # A bot: thank it and keep nothing.
        return jsonify(ok=True) if wants_json() else render_template("api/request-help-dropped.jinja")
    if not form.validate():
        count_failure("request-help")
        errors = first_errors(form)
        if wants_json():
            return jsonify(errors=errors), 400
        return render_help_form(form, errors, 400)
    stored = help_requests.store_request(database(), help_requests.cleaned(form), directory())
    try:
        sender = outbox.sender_for(settings, timeout=SEND_BUDGET)
        outbox.deliver_due(database(), sender, ids=stored.message_ids, budget=SEND_BUDGET)
    except Exception:
        # The request and its messages are safely stored; `guide outbox retry` sends them later.
        current_app.logger.warning("sending for %s deferred to the outbox retry", stored.reference, exc_info=False)
    if wants_json():
        return jsonify(reference=stored.reference, partner=stored.partner.name, created=stored.created)
    return render_template(
        "api/request-help-confirmation.jinja",
        reference=stored.reference,
        partner=stored.partner,
        created=stored.created,
    )


# The help request form, shown by the guide at /request-help/ and again here with its errors.


def directory() -> Directory:
    fallback = Partner.fallback(current_app.config["SETTINGS"].fallback_partner_email)
    return Directory.from_data(current_site().data, fallback)


def new_help_form(formdata=None) -> help_requests.HelpRequestForm:
    phase_titles = [title for title, _ in current_site().phases]
    email_domains = current_app.config["SETTINGS"].allowed_email_domains
    return help_requests.HelpRequestForm.for_site(directory(), phase_titles, email_domains, formdata)


def select_items(field) -> list[dict]:
    """A WTForms select's choices in the shape the NHS.UK select macro takes."""
    return [
        {"value": value, "text": label, "selected": value == (field.data or "")}
        for value, label, _, _ in field.iter_choices()
    ]


def render_help_form(form: help_requests.HelpRequestForm, errors: dict[str, str] | None = None, status: int = 200):
    return render_template(
        "request-help.jinja",
        form=form,
        errors=errors or {},
        message_limit=help_requests.MESSAGE_LIMIT,
        select_items=select_items,
    ), status
