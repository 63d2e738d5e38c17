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


#: Control characters (Cc), invisible format characters (Cf: zero-width spaces and joiners, the byte order
#: mark, soft hyphens, bidi controls U+202A–202E and U+2066–2069) and line and paragraph separators.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def has_hidden_characters(text: str) -> bool:
    """Whether text holds a character that breaks a line, reorders text or cannot be seen."""
    return any(unicodedata.category(character) in HIDDEN_CATEGORIES for character in text)


def single_line(form, field) -> None:
    """Refuses line breaks, control and invisible characters in a one-line answer: nothing we send on can be
    made to carry extra header lines, reversed or hidden text, or reach another mailbox than it seems to."""
    if field.data and has_hidden_characters(field.data):
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
