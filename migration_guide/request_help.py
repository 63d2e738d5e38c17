"""The "Request help from a delivery partner" page. Its form posts to `/api/request-help` (see `api`)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from .directory import Directory
from .help_requests import MESSAGE_LIMIT, HelpRequestForm

blueprint = Blueprint("request_help", __name__)


def directory() -> Directory:
    return Directory.from_data(current_app.extensions["site_source"].site.data)


def phase_titles() -> list[str]:
    return [title for title, _ in current_app.extensions["site_source"].site.phases]


def new_form(formdata=None) -> HelpRequestForm:
    return HelpRequestForm.for_site(directory(), phase_titles(), formdata)


def select_items(field) -> list[dict]:
    """A WTForms select's choices in the shape the NHS.UK select macro takes."""
    return [{"value": value, "text": label, "selected": value == (field.data or "")}
            for value, label, _, _ in field.iter_choices()]


def render_form(form: HelpRequestForm, errors: dict[str, str] | None = None, status: int = 200):
    return render_template("request-help.jinja", form=form, errors=errors or {}, message_limit=MESSAGE_LIMIT,
                           select_items=select_items), status


@blueprint.get("/request-help/")
def show_form():
    return render_form(new_form())
