"""What the public forms' fields share, on top of WTForms.

Plain `wtforms.Form`, not Flask-WTF's `FlaskForm`: the forms sit on static pages
with no session to hold a CSRF token, so requests are checked by Origin instead
(see `guard`). Every field is treated as hostile: lengths are capped, text that
arrived as broken UTF-8 is refused, and nothing is rendered unescaped.
"""

from __future__ import annotations

import unicodedata

from wtforms import Form, RadioField, SelectField
from wtforms.validators import ValidationError


def readable_text(form, field) -> None:
    """Refuses the replacement character: text that was garbled before it reached us."""
    if field.data and "\ufffd" in field.data:
        raise ValidationError(f"{field.label.text} contains characters we cannot read. Remove them and try again")


def single_line(form, field) -> None:
    """Refuses line breaks and other control characters in a one-line answer: nothing we send on can be
    made to carry extra header lines or hidden text."""
    if field.data and any(unicodedata.category(character) == "Cc" for character in field.data):
        raise ValidationError(f"{field.label.text} must be on one line, without special characters")


class _PlainChoiceErrors:
    """An answer that is not one of the choices gets the field's own message, not WTForms' "Not a valid choice"."""

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            message = next((v.message for v in self.validators if getattr(v, "message", None)), "Select an option")
            raise ValidationError(message) from None


class ChoiceRadioField(_PlainChoiceErrors, RadioField):
    pass


class ChoiceSelectField(_PlainChoiceErrors, SelectField):
    pass


def stripped(value):
    return value.strip() if isinstance(value, str) else value


def first_errors(form: Form) -> dict[str, str]:
    """One message per field, in form order, as the NHS error summary shows them."""
    return {name: field.errors[0] for name, field in form._fields.items() if field.errors}
