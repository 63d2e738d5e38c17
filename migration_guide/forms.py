"""The public forms' fields and rules, as WTForms forms.

Plain `wtforms.Form`, not Flask-WTF's `FlaskForm`: the forms sit on static pages
with no session to hold a CSRF token, so requests are checked by Origin instead
(see `api`). Every field is treated as hostile: lengths are capped, text that
arrived as broken UTF-8 is refused, and nothing is rendered unescaped.
"""

from __future__ import annotations

from wtforms import Form, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

FEEDBACK_COMMENT_LIMIT = 1200


def readable_text(form, field) -> None:
    """Refuses the replacement character: text that was garbled before it reached us."""
    if field.data and "\ufffd" in field.data:
        raise ValidationError(f"{field.label.text} contains characters we cannot read. Remove them and try again")


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


class FeedbackForm(Form):
    page = StringField("Page", filters=[stripped], validators=[InputRequired(), Length(max=300)])
    section = StringField("Section", filters=[stripped], validators=[InputRequired(), Length(max=300)])
    answer = ChoiceRadioField(
        "Was this section helpful?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validators=[InputRequired(message="Select yes if this section was helpful, or no if it was not")],
    )
    comment = TextAreaField(
        "Your comment",
        filters=[stripped],
        validators=[
            Length(max=FEEDBACK_COMMENT_LIMIT, message=f"Your comment must be {FEEDBACK_COMMENT_LIMIT:,} characters or fewer"),
            readable_text,
        ],
    )
    #: A honeypot: hidden from people, filled in by bots.
    website = StringField("Leave this field empty")


def first_errors(form: Form) -> dict[str, str]:
    """One message per field, in form order, as the NHS error summary shows them."""
    return {name: field.errors[0] for name, field in form._fields.items() if field.errors}
