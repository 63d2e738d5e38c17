"""The two emails a help request sends, written in full here, as the digest's are, from the list of fields.

Each Notify template is only `((body))` (its subject `((subject))`), so a field added to
`request_fields.FIELDS` reaches the partner without anyone editing a template nobody can see. Every value a
reader typed or a file supplied passes through `notify_text.plain` once; our own words around them are fixed.
"""

from __future__ import annotations

from datetime import date

from .notify_text import plain
from .request_fields import RequestField, in_form_order

NOT_GIVEN = "Not given"
WHAT_HAPPENS_NEXT = (
    "The delivery partner will read your request and reply to you by email. "
    "If your request is urgent, contact your Integrated Care Board's GP IT team as well."
)
#: What each Notify template holds: paste these as its subject and body (see README, "Settings").
NOTIFY_SUBJECT = "((subject))"
NOTIFY_BODY = "((body))"


def _value(spec: RequestField, details: dict, shown_as: dict[str, str]) -> str:
    value = shown_as.get(spec.name) or details.get(spec.name) or ""
    if value and spec.kind == "date":
        day = date.fromisoformat(value)  # stored as 2027-03-27, read as 27 March 2027
        value = f"{day.day} {day:%B %Y}"
    return plain(value) if value else NOT_GIVEN


def _label(spec: RequestField) -> str:
    return spec.email_label or spec.label.removesuffix(" (optional)")


def _lines(specs: tuple[RequestField, ...], details: dict, shown_as: dict[str, str]) -> list[str]:
    """One "Label: value" line a field, in the form's order; then each long answer (a message) under its label."""
    ordered = in_form_order(specs)
    lines = [f"{_label(spec)}: {_value(spec, details, shown_as)}" for spec in ordered if spec.kind != "textarea"]
    for spec in ordered:
        if spec.kind == "textarea":
            lines += ["", _label(spec), _value(spec, details, shown_as)]
    return lines


def to_partner(
    reference: str, details: dict, partner_name: str, specs: tuple[RequestField, ...], shown_as: dict[str, str]
) -> dict[str, str]:
    """Every field marked `to_partner`, for the delivery partner to act on and reply to."""
    body = [
        f"Reference: {reference}",
        "",
        f"A GP practice has asked {plain(partner_name)} for help with its clinical system migration.",
        "Reply to the person who asked by email. Quote the reference in your reply.",
        "",
        *_lines(tuple(spec for spec in specs if spec.to_partner), details, shown_as),
    ]
    return {"reference": reference, "subject": f"Help request {reference}", "body": "\n".join(body)}


def to_requester(
    reference: str,
    details: dict,
    partner_name: str,
    replies_within: str,
    privacy_notice: str,
    specs: tuple[RequestField, ...],
    shown_as: dict[str, str],
) -> dict[str, str]:
    """The confirmation: the reference, who has the request, and only the choices marked `to_requester`.

    Nothing the sender typed goes in it (`RequestField` allows only choices), so the form cannot send our
    email with someone else's words in it.
    """
    body = [
        f"Your reference number is {reference}.",
        "",
        f"We have sent your request to {plain(partner_name)}. They aim to reply within {plain(replies_within)}.",
    ]
    chosen = _lines(tuple(spec for spec in specs if spec.to_requester), details, shown_as)
    if chosen:
        body += ["", "Your request is about:", *chosen]
    body += ["", WHAT_HAPPENS_NEXT, "", f"How we use your details: {privacy_notice}"]
    return {"reference": reference, "subject": f"Your help request {reference}", "body": "\n".join(body)}
