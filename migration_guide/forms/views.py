"""The public form endpoints, `POST /api/feedback` and `POST /api/request-help`.

The same code runs in the dev server and, through `functions/forms.py`, on AWS Lambda. Every
post passes the request guard first (see `guard`).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request

from ..content.directory import Directory, Partner
from ..content.links import canonical_path
from ..web.urls import absolute_url
from . import feedback, help_requests, outbox, request_fields
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


def _feedback_form_page(step: str, permalink: str, located, errors: dict, status: int = 400):
    """A section's feedback form again, as typed, with its errors: the answer step, or the comment step."""
    page, section_title = located
    typed = request.form
    return render_template(
        "api/feedback.jinja",
        step=step,
        permalink=permalink,
        guide_page=page,
        section_id=typed.get("section", ""),
        section_title=section_title,
        token=typed.get("token", ""),
        values={"answer": typed.get("answer", ""), "comment": typed.get("comment", "")},
        errors=errors,
        # Nothing was stored from this post, so the form shown again is a new render with a key of its own.
        idempotency_key=feedback.new_idempotency_key(),
    ), status


def _feedback_again(message: str):
    """The section's feedback form as it was typed, with `message` (for a reader asked to wait)."""
    permalink = canonical_path(request.form.get("page") or "/")
    located = _located(permalink, request.form.get("section"))
    if located is None:
        return refuse(429)[0]
    step = "comment" if "token" in request.form else "answer"
    return _feedback_form_page(step, permalink, located, {step: message})[0]


def _help_request_again(message: str):
    """The help request form as it was typed, with `message` (for a reader asked to wait)."""
    return render_help_form(new_help_form(request.form), {"full_name": message})[0]


@blueprint.post("/feedback")
@form_endpoint(max_bytes=16 * 1024, form="feedback", show_again=_feedback_again)
def post_feedback():
    """Step 1, an answer (Yes or No, from the section's two buttons); step 2, a comment on it (with its token)."""
    if "token" in request.form:
        return _post_comment()
    form = feedback.FeedbackForm(request.form)
    permalink = canonical_path(form.page.data.strip() or "/") if form.page.data else ""
    if form.website.data:
        return _feedback_thanks(permalink, form.section.data or "")  # a bot: thank it and keep nothing
    located = _located(permalink, form.section.data)
    if located is None:
        return _section_gone()
    page, section_title = located
    if not form.validate():
        count_failure("feedback")
        errors = first_errors(form)
        if wants_json():
            return jsonify(errors=errors), 400
        return _feedback_form_page("answer", permalink, located, errors)
    token = feedback.save(
        database(),
        permalink,
        form.section.data,
        form.answer.data,
        form.comment.data or "",
        page.version,
        idempotency_key=form.idempotency_key.data or "",
    )
    if token is None:  # the key was used for another section's answer: not a retry of this one
        count_failure("feedback")
        errors = {"answer": "We could not save your answer. Select yes or no again"}
        if wants_json():
            return jsonify(errors=errors), 400
        return _feedback_form_page("answer", permalink, located, errors)
    return _feedback_thanks(permalink, form.section.data, section_title=section_title, token=token)


def _post_comment():
    form = feedback.CommentForm(request.form)
    permalink = canonical_path(form.page.data.strip() or "/") if form.page.data else ""
    if form.website.data:
        return _feedback_thanks(permalink, form.section.data or "", commented=True)  # a bot
    located = _located(permalink, form.section.data)
    if located is None:
        return _section_gone()
    if not form.validate():
        count_failure("feedback")
        errors = first_errors(form)
        if wants_json():
            return jsonify(errors=errors), 400
        return _feedback_form_page("comment", permalink, located, errors)
    stored = feedback.add_comment(database(), form.token.data, permalink, form.section.data, form.comment.data)
    if stored is None:
        if wants_json():
            return jsonify(errors={"token": "We could not add your comment to your answer"}), 400
        return render_template(
            "api/refused.jinja",
            heading="We could not add your comment",
            advice="Your answer was saved, but we could not match your comment to it: the page may have been open "
            "for more than a day. Go back to the guide and answer again.",
            status=400,
        ), 400
    # stored is False when this answer already has its comment (sent twice): thank, store nothing more.
    return _feedback_thanks(permalink, form.section.data, commented=True)


def _located(permalink: str, section_id: str | None):
    """(page, section title) if the section exists on a guide page that takes feedback, else None."""
    return current_site().section(permalink, (section_id or "").strip()) if permalink else None


def _section_gone():
    if wants_json():
        return jsonify(errors={"section": "This section of the guide no longer exists"}), 400
    return render_template(
        "api/refused.jinja",
        heading="We could not find that section of the guide",
        advice="The page may have changed. Go back to the guide, reload the page and try again.",
        status=400,
    ), 400


def _feedback_thanks(permalink: str, section_id: str, section_title: str = "", token: str = "", commented=False):
    """Thanks; after an answer, with the token for a comment (inline with JavaScript, on the page without)."""
    if wants_json():
        if commented:
            return jsonify(ok=True, message="Thank you for your comment.")
        return jsonify(ok=True, message="Thank you for your feedback.", token=token)
    site = current_site()
    page = site.pages.get(permalink)
    return render_template(
        "api/feedback-thanks.jinja",
        permalink=permalink if page else "/",
        guide_page=page,
        section_id=section_id if page and section_id in page.sections else "",
        section_title=section_title,
        token=token if page else "",
        commented=commented,
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
    stored = help_requests.store_request(
        database(), help_requests.cleaned(form), directory(), privacy_notice=absolute_url("/privacy/")
    )
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
        sections=request_fields.SECTIONS,
        select_items=select_items,
    ), status
