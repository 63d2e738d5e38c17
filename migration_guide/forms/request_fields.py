"""The help request's fields: one list that the form, its checks, the store, the export, purge and both emails read.

A field added here is asked for on /request-help/, checked, stored (its column is added on first use, see
`help_requests.ensure_columns`), exported, deleted with its request and sent to the partner, with no other
edit. Plain data: no WTForms, no Flask, so every layer can read it.
"""

from __future__ import annotations

from dataclasses import dataclass

#: What each kind of field is on the form: an NHS.UK component and the checks that go with it (see
#: `help_requests.form_field`). "choice" kinds offer only their choices; nothing typed in them is free text.
KINDS = ("text", "email", "tel", "code", "radios", "select", "date", "textarea")
CHOICE_KINDS = ("radios", "select")

#: The form's parts, in order, with their headings.
SECTIONS = {"you": "About you", "practice": "About the practice", "migration": "About the migration"}

MESSAGE_LIMIT = 3000

ROLES = (
    "Practice manager",
    "GP or other clinician",
    "Practice staff",
    "Delivery partner or project manager",
    "Integrated Care Board",
    "Other",
)
CURRENT_SYSTEMS = ("EMIS Web", "SystmOne", "Vision", "Medicus", "Other")
NEW_SYSTEMS = (*CURRENT_SYSTEMS, "Not decided")


@dataclass(frozen=True)
class RequestField:
    """One thing a help request asks for."""

    #: The stored column, the key in a request's details and the export's header.
    name: str
    label: str
    kind: str
    section: str
    #: What the emails call it, when the form's question reads oddly there ("Your role" is "Role").
    email_label: str = ""
    required: bool = True
    max_length: int | None = None
    #: Says who the person is or how to reach them: exported for subject access, deleted by purge, never logged.
    personal: bool = False
    to_partner: bool = True
    #: Only a choice may go in the confirmation: it goes to whatever address was typed, so nothing typed may.
    to_requester: bool = False
    exported: bool = True
    #: The form's field name when it is not `name` (a date's inputs are `<input_name>_day`, `_month`, `_year`).
    input_name: str = ""
    #: Shown when a required field is empty (or a choice is not one of the choices); see `missing`.
    required_message: str = ""
    #: Shown when the answer is longer than `max_length`; by default "<label> must be N characters or fewer".
    length_message: str = ""
    hint: str = ""
    #: A regular expression the whole (tidied) answer must match, and what to say when it does not.
    pattern: str = ""
    pattern_message: str = ""
    #: Fixed choices; or `choices_from` names where the site supplies them ("icbs", "phases").
    choices: tuple[str, ...] = ()
    choices_from: str = ""
    #: A select's first, empty option.
    placeholder: str = ""
    autocomplete: str = ""
    #: False for what is not words (names, addresses, codes): a browser would mark it as misspelt.
    spellcheck: bool = True
    classes: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"help request field {self.name}: unknown kind {self.kind!r}")
        if self.section not in SECTIONS:
            raise ValueError(f"help request field {self.name}: unknown section {self.section!r}")
        if self.personal and not self.exported:
            raise ValueError(f"help request field {self.name} is personal data, so it must be exported")
        if self.to_requester and self.kind not in CHOICE_KINDS:
            raise ValueError(f"help request field {self.name}: only a choice may go in the requester's email")
        if not self.name.isidentifier() or not self.name.islower():
            raise ValueError(f"help request field {self.name!r}: a name is a lower-case column name")

    @property
    def field_name(self) -> str:
        return self.input_name or self.name

    @property
    def element_id(self) -> str:
        """The id of the field's (first) input: what an error summary links to."""
        return self.field_name.replace("_", "-")

    @property
    def error_key(self) -> str:
        """The form field that carries this field's error: a date's day input."""
        return f"{self.field_name}_day" if self.kind == "date" else self.field_name

    @property
    def missing(self) -> str:
        """What a required field left empty says: its own message, or "Enter …" ("Select …" for a choice)."""
        if self.required_message:
            return self.required_message
        verb = "Select" if self.kind in CHOICE_KINDS else "Enter"
        return f"{verb} {self.label[:1].lower()}{self.label[1:]}"

    @property
    def too_long(self) -> str:
        return self.length_message or f"{self.label} must be {self.max_length:,} characters or fewer"


def in_form_order(specs: tuple[RequestField, ...]) -> tuple[RequestField, ...]:
    """The fields as the form shows them: by section, and in the list's order within one."""
    order = list(SECTIONS)
    return tuple(sorted(specs, key=lambda spec: order.index(spec.section)))


FIELDS: tuple[RequestField, ...] = (
    RequestField(
        "full_name",
        "Full name",
        "text",
        "you",
        max_length=100,
        personal=True,
        required_message="Enter your full name",
        autocomplete="name",
        spellcheck=False,
    ),
    RequestField(
        "email",
        "Work email address",
        "email",
        "you",
        max_length=254,
        personal=True,
        required_message="Enter your work email address",
        length_message="Email address must be 254 characters or fewer",
        # `{domains}` becomes ALLOWED_EMAIL_DOMAINS on the page.
        hint="Use your work email address, ending {domains}. We will send your reference number to it.",
        autocomplete="email",
        spellcheck=False,
    ),
    RequestField(
        "phone",
        "Phone number (optional)",
        "tel",
        "you",
        required=False,
        max_length=20,
        personal=True,
        hint="For example, 01632 960 001",
        autocomplete="tel",
        classes="nhsuk-input--width-20",
    ),
    RequestField(
        "role", "Your role", "radios", "you", email_label="Role", choices=ROLES, required_message="Select your role"
    ),
    RequestField(
        "practice_name",
        "Practice name",
        "text",
        "practice",
        max_length=120,
        required_message="Enter the practice name",
        autocomplete="organization",
    ),
    RequestField(
        "ods_code",
        "Practice ODS code",
        "code",
        "practice",
        required_message="Enter the practice ODS code",
        pattern=r"^[A-Z][0-9]{5}$",
        pattern_message="Enter the practice ODS code in the correct format: 1 letter and 5 numbers, like B86022",
        hint="1 letter and 5 numbers, for example B86022."
        " It is on your practice's letters and in your clinical system.",
        autocomplete="off",
        spellcheck=False,
        classes="nhsuk-input--width-10 nhsuk-input--code",
    ),
    RequestField(
        "icb_code",
        "The practice's Integrated Care Board",
        "select",
        "practice",
        email_label="Integrated Care Board",
        input_name="icb",
        choices_from="icbs",
        placeholder="Select an ICB",
        required_message="Select the practice's Integrated Care Board",
        to_requester=True,
    ),
    RequestField(
        "phase",
        "The phase you are in",
        "select",
        "migration",
        email_label="Phase",
        choices_from="phases",
        placeholder="Select a phase",
        hint="The phases follow the guide's timeline.",
        required_message="Select the phase you are in",
        to_requester=True,
    ),
    RequestField(
        "go_live_date",
        "Planned go-live date (optional)",
        "date",
        "migration",
        required=False,
        input_name="go_live",
        hint="For example, 27 3 2027",
    ),
    RequestField(
        "current_system",
        "Current clinical system",
        "select",
        "migration",
        choices=CURRENT_SYSTEMS,
        placeholder="Select a system",
        required_message="Select the practice's current clinical system",
    ),
    RequestField(
        "new_system",
        "New clinical system",
        "select",
        "migration",
        choices=NEW_SYSTEMS,
        placeholder="Select a system",
        required_message="Select the new clinical system, or 'Not decided'",
    ),
    RequestField(
        "message",
        "How can we help?",
        "textarea",
        "migration",
        email_label="Message",
        max_length=MESSAGE_LIMIT,
        required_message="Enter how we can help",
        length_message=f"Your message must be {MESSAGE_LIMIT:,} characters or fewer",
        hint="Tell us what you need and by when. Do not include patient information.",
    ),
)
