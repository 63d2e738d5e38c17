"""The checklists are what a practice works from, so each task a 2026 migration needs is an item on its role's
checklist, linked to the section that explains it. These tests read the real content and name each task."""

import html
import re

import pytest
from conftest import IN_CI, SEED_PAGE

from migration_guide.config import Settings
from migration_guide.content.links import parse_internal
from migration_guide.content.loading import load_guide
from migration_guide.content.phases import END_KEY, START_KEY

SAFETY = "/guide/safety-and-data-protection/"

#: Each role's 2026 tasks (issue 23): item id -> the section that explains it.
TASKS_2026 = {
    "practice-staff": {
        "update-dpia": f"{SAFETY}#update-your-data-protection-documents",
        "update-privacy-notice": f"{SAFETY}#update-your-data-protection-documents",
        "check-data-processing-agreement": f"{SAFETY}#data-processing-agreement",
        "name-clinical-safety-officer": f"{SAFETY}#clinical-safety-officer",
        "agree-safety-case": f"{SAFETY}#hazard-log-and-safety-case",
        "write-go-live-criteria": f"{SAFETY}#go-no-go-criteria",
        "hold-go-no-go-meeting": f"{SAFETY}#who-decides-go-live",
        "update-continuity-plan": f"{SAFETY}#prepare-for-a-system-failure",
        "fill-in-continuity-contact-sheet": f"{SAFETY}#who-to-call",
        "update-dspt-asset-register": f"{SAFETY}#data-security-and-protection-toolkit",
    },
    "project-managers": {
        "confirm-who-provides-clinical-safety-officer": f"{SAFETY}#clinical-safety-officer",
        "give-practice-dpia-template": f"{SAFETY}#update-your-data-protection-documents",
        "check-processing-agreement-covers-test-data": f"{SAFETY}#data-processing-agreement",
        "get-supplier-hazard-log": f"{SAFETY}#hazard-log-and-safety-case",
        "share-go-live-criteria": f"{SAFETY}#go-no-go-criteria",
        "check-safety-case-written": f"{SAFETY}#hazard-log-and-safety-case",
        "arrange-go-no-go-meeting": f"{SAFETY}#who-decides-go-live",
        "agree-rollback-for-each-party": f"{SAFETY}#what-rollback-means",
        "help-fill-in-contact-sheet": f"{SAFETY}#who-to-call",
    },
    "integrated-care-boards": {
        "give-dpia-template": f"{SAFETY}#update-your-data-protection-documents",
        "name-clinical-safety-officer": f"{SAFETY}#clinical-safety-officer",
        "name-information-governance-lead": f"{SAFETY}#data-security-and-protection-toolkit",
        "take-part-in-go-no-go": f"{SAFETY}#who-decides-go-live",
        "agree-funding-for-delays": f"{SAFETY}#if-go-live-is-delayed",
    },
}

#: The fewest 2026 items each role must carry (issue 23).
AT_LEAST = {"practice-staff": 8, "project-managers": 6, "integrated-care-boards": 4}


@pytest.fixture(scope="module")
def guide(tmp_path_factory):
    return load_guide(Settings.from_environment(instance_dir=tmp_path_factory.mktemp("instance")))


def items_of(guide, role):
    return {item.id: item for item in guide.checklists[role].items}


def lands(guide, link: str) -> bool:
    """Whether a link's page exists and carries an element with the link's fragment."""
    path, _, fragment = link.partition("#")
    page = guide.pages.get(path)
    return page is not None and fragment in guide.element_ids(page)


@pytest.mark.parametrize("role", AT_LEAST)
def test_each_role_carries_its_2026_tasks_each_linked_to_the_section_that_explains_it(guide, role):
    items = items_of(guide, role)
    assert len(TASKS_2026[role]) >= AT_LEAST[role]
    for item_id, section in TASKS_2026[role].items():
        assert item_id in items, f"{role} has no item {item_id}"
        assert items[item_id].link == section, (role, item_id, items[item_id].link)
        assert lands(guide, section), f"{section} is not a section of the guide"


@pytest.mark.parametrize("role", AT_LEAST)
def test_each_role_links_to_the_safety_and_data_protection_page(guide, role):
    linked = [item.id for item in guide.checklists[role].items if item.link.startswith(SAFETY)]
    assert len(linked) >= AT_LEAST[role], (role, linked)


def section_text(page, fragment: str) -> str:
    """The Markdown of one section: from its heading to the next heading at the same level or above."""
    lines = page.body.splitlines()
    for start, line in enumerate(lines):
        if line.startswith("#") and line.rstrip().endswith("{#" + fragment + "}"):
            level = len(line) - len(line.lstrip("#"))
            end = next(
                (
                    index
                    for index in range(start + 1, len(lines))
                    if lines[index].startswith("#") and len(lines[index]) - len(lines[index].lstrip("#")) <= level
                ),
                len(lines),
            )
            return "\n".join(lines[start:end])
    raise AssertionError(f"{page.permalink} has no section {fragment}")


#: The 8 items whose links used to land on a section that did not explain them (issue 23): where each belongs,
#: and words that section must say for the link to be right.
MISROUTED = [
    ("practice-staff", "share-out-of-hours-numbers", f"{SAFETY}#prepare-for-a-system-failure", "out-of-hours"),
    ("project-managers", "collect-out-of-hours-numbers", f"{SAFETY}#prepare-for-a-system-failure", "out-of-hours"),
    ("practice-staff", "agree-rollback-plan", f"{SAFETY}#what-rollback-means", "Rollback means"),
    (
        "project-managers",
        "confirm-supplier-time-limits",
        "/guide/further-guidance/#earlier-contract-time-limits",
        "time limits",
    ),
    (
        "integrated-care-boards",
        "say-which-time-limits-apply",
        "/guide/further-guidance/#earlier-contract-time-limits",
        "time limits",
    ),
    ("integrated-care-boards", "know-who-decides-delay", f"{SAFETY}#who-decides-go-live", "who decides"),
    ("project-managers", "check-sign-in-changes", "/guide/cutover-and-go-live/#activate-smartcards", "sign in"),
    ("practice-staff", "clear-pending-registrations", "/guide/linked-systems/#registrations-under-pcrm", "pending"),
]


@pytest.mark.parametrize(("role", "item_id", "section", "words"), MISROUTED, ids=[row[1] for row in MISROUTED])
def test_each_item_that_was_misrouted_lands_on_the_section_that_explains_it(guide, role, item_id, section, words):
    item = items_of(guide, role)[item_id]
    assert item.link == section, (role, item_id, item.link)
    path, _, fragment = section.partition("#")
    assert words.lower() in section_text(guide.pages[path], fragment).lower(), (section, words)


def test_the_out_of_hours_numbers_go_to_the_new_supplier_on_the_page_and_in_both_checklists(guide):
    page = section_text(guide.pages[SAFETY], "prepare-for-a-system-failure")
    assert "Give the new supplier and your delivery partner out-of-hours phone numbers" in page
    assert "new supplier" in items_of(guide, "practice-staff")["share-out-of-hours-numbers"].text
    assert "new supplier" in items_of(guide, "project-managers")["collect-out-of-hours-numbers"].text


#: Sentences that say how long the old system stays readable after go-live.
OLD_SYSTEM_ACCESS = re.compile(
    r"[^.\n]*\b(read-only|readable|read it|access to (it|the old system)|supports the old system)\b"
    r"[^.\n]*\b\d+ (days|weeks)\b[^.\n]*"
)


def test_the_old_system_stays_readable_for_90_days_after_go_live_in_the_phase_files(guide):
    steps = {step.slug: step for step in guide.steps["key-phases"]}
    assert steps["go-live"].meta["read_only_access"] == "90 days"
    # The end of the migration is when that access closes: 13 weeks is the whole week nearest 90 days.
    assert steps["end-of-migration"].meta["ends_weeks_before_go_live"] == -round(90 / 7)


def test_every_page_and_item_that_says_how_long_the_old_system_stays_readable_says_90_days(guide):
    statements = [
        (page.permalink, match.group(0))
        for page in guide.pages.values()
        for match in OLD_SYSTEM_ACCESS.finditer(re.sub(r"<[^>]+>", " ", page.html))
    ] + [
        (checklist.name, match.group(0))
        for checklist in guide.checklists.values()
        for item in checklist.items
        for match in OLD_SYSTEM_ACCESS.finditer(item.text)
    ]
    places = {place for place, _ in statements}
    assert {"/guide/post-go-live/", "/guide/end-of-migration/", "/guide/", "integrated-care-boards"} <= places
    assert [(place, text) for place, text in statements if not re.search(r"\b90 days\b", text)] == []
    for page in guide.pages.values():
        assert "45 days" not in page.html, page.permalink


def test_the_guide_still_says_to_confirm_the_old_systems_end_date_in_writing(guide):
    assert "Confirm the end date in writing with your old supplier." in guide.pages["/guide/post-go-live/"].html


#: NHS England's tasks that the guide lacked (its Clinical system migration guide, planning for cut-over and
#: pre-migration tasks): the words the page must say, and the item on each role's checklist that carries it.
NHS_ENGLAND_TASKS = {
    "cut-over planning meeting": (
        "/guide/planning-for-cut-over/#cut-over-planning-meeting",
        "meet everyone involved to agree how the cut-over will run",
        {
            "practice-staff": "hold-cut-over-planning-meeting",
            "project-managers": "arrange-cut-over-planning-meeting",
            "integrated-care-boards": "attend-cut-over-planning-meeting",
        },
    ),
    "backups": (
        "/guide/planning-for-cut-over/#general-preparation",
        "Back up local and third-party systems and databases",
        {"practice-staff": "back-up-local-systems", "project-managers": "check-backups-taken"},
    ),
    "dispensary stock": (
        "/guide/planning-for-cut-over/#general-preparation",
        "manage stock through the switch",
        {"practice-staff": "manage-dispensary-stock"},
    ),
    "card readers": (
        "/guide/cutover-and-go-live/#activate-smartcards",
        "smartcard and card reader",
        {"practice-staff": "check-smartcard-access", "project-managers": "check-card-readers"},
    ),
    "leavers' profiles": (
        "/guide/planning-for-cut-over/#general-preparation",
        "Archive the user profiles of staff who have left",
        {"practice-staff": "archive-leavers-profiles", "project-managers": "check-leavers-archived"},
    ),
    "old system unavailable": (
        "/guide/planning-for-cut-over/#general-preparation",
        "the old system is unavailable while the extract is taken",
        {"practice-staff": "say-old-system-unavailable"},
    ),
    "fresh random sample": (
        "/guide/cutover-and-go-live/#data-re-checking",
        "check a fresh random sample of records",
        {"practice-staff": "check-fresh-random-sample", "project-managers": "check-fresh-sample-rechecked"},
    ),
    "text messages in the cut-over": (
        "/guide/planning-for-cut-over/#general-preparation",
        "capture and keep text messages (SMS) sent or received during the cut-over",
        {"practice-staff": "plan-text-message-capture"},
    ),
    "IM1 pairing": (
        "/guide/telling-patients/#keep-online-services-working",
        "Ask your IT team whether the credentials change. Tell each third-party app supplier",
        {"practice-staff": "ask-about-im1-pairing", "project-managers": "confirm-im1-pairing-credentials"},
    ),
    "email addresses": (
        "/guide/telling-patients/#keep-online-services-working",
        "verify each patient's email address in the old system before the migration",
        {"practice-staff": "verify-patient-email-addresses", "project-managers": "check-email-verification"},
    ),
    "online access IDs": (
        "/guide/telling-patients/#keep-online-services-working",
        "Patient Online Services issues new ones",
        {"practice-staff": "check-online-access-ids", "project-managers": "check-online-access-ids"},
    ),
    "NHS App linkage keys": (
        "/guide/telling-patients/#keep-online-services-working",
        "A printed linkage key expires {fact:linkage-key-expiry} after you print it. Do not print keys early.",
        {"practice-staff": "print-linkage-keys-late"},
    ),
}


@pytest.mark.parametrize("task", NHS_ENGLAND_TASKS)
def test_each_task_from_nhs_englands_guide_is_on_its_page_and_in_each_roles_checklist(guide, task):
    section, words, items = NHS_ENGLAND_TASKS[task]
    path, _, fragment = section.partition("#")
    assert words.lower() in " ".join(section_text(guide.pages[path], fragment).split()).lower(), (section, words)
    for role, item_id in items.items():
        item = items_of(guide, role).get(item_id)
        assert item is not None, f"{role} has no item {item_id} for {task}"
        assert item.link == section, (role, item_id, item.link)


def test_the_cut_over_planning_meeting_items_sit_in_the_plan_cut_over_phase(guide):
    for role, item_id in NHS_ENGLAND_TASKS["cut-over planning meeting"][2].items():
        phase = next(
            phase.slug
            for phase in guide.checklists[role].phases
            for group in phase.groups
            if any(item.id == item_id for item in group.items)
        )
        assert phase == "plan-cut-over", (role, item_id, phase)


def test_the_online_services_item_holds_one_task_and_the_others_are_items_of_their_own(guide):
    for role in ("practice-staff", "project-managers"):
        text = items_of(guide, role)["check-online-services-and-messaging"].text
        assert "text messaging" in text
        for other in ("NHS App", "online access", "email", "IM1"):
            assert other not in text, (role, text)


def test_near_duplicate_items_are_merged_into_one(guide):
    practice = items_of(guide, "practice-staff")
    assert "check-everyone-can-log-in" not in practice
    assert "smartcard and card reader" in practice["check-smartcard-access"].text
    assert "admin users" not in practice["book-training"].text
    assert "2 admin users" in practice["train-two-admin-users"].text


#: The seed's own items whose links were moved onto /guide/, kept in the seed's words (some are questions).
SEED_WORDING = {
    "check-dates-against-availability",
    "secure-dates-and-peoples-time",
    "new-supplier-confirmed-go-live-date",
    "old-supplier-notified",
    "check-pds-reconciliation",
    "book-rooms",
}
#: Openings that are not an instruction: a condition, a time or an "-ing" word.
NOT_A_VERB = re.compile(r"^(If|After|When|Before|Once|Checking|Securing|Making|Booking|Getting)\b")
NUMBER_WORDS = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|ten)\b", re.IGNORECASE)


def test_every_item_but_the_seeds_starts_with_a_verb_and_uses_numerals(guide):
    for checklist in guide.checklists.values():
        for item in checklist.items:
            if item.id in SEED_WORDING or item.link.startswith("/prm-practice-migration/"):
                continue  # the seed's items keep the seed's words
            assert not NOT_A_VERB.match(item.text) and not item.text.endswith("?"), (checklist.name, item.id, item.text)
            assert not NUMBER_WORDS.search(item.text), (checklist.name, item.id, item.text)


def test_the_guide_says_what_to_do_when_the_extract_is_late_check_then_escalate_in_order(guide):
    page = guide.pages["/guide/initial-data-production/"]
    check = section_text(page, "late-extract-what-to-check")
    assert "reached the old supplier" in check and "over the internet" in check
    escalate = section_text(page, "late-extract-who-to-escalate-to")
    order = ["old supplier's migration contact", "delivery partner", "integrated care board", "NHS England"]
    positions = [escalate.index(step) for step in order]
    assert positions == sorted(positions), positions
    plan = section_text(page, "late-extract-what-it-does-to-the-plan")
    assert "Do not make up the time by checking less. Move go-live instead" in plan
    assert "tell the old supplier" in plan


def test_supplier_time_limits_name_the_catalogue_solution_migration_process_not_a_deferral(guide):
    section = section_text(guide.pages["/guide/further-guidance/"], "earlier-contract-time-limits")
    assert "Catalogue Solution Migration Process" in section
    assert "Ask your ICB or delivery partner which time limits" not in section
    assert "have expired" not in section
    for role, item_id in (
        ("project-managers", "confirm-supplier-time-limits"),
        ("integrated-care-boards", "say-which-time-limits-apply"),
    ):
        assert "Catalogue Solution Migration Process" in items_of(guide, role)[item_id].text, (role, item_id)


def test_the_icb_page_gives_the_programme_view_and_its_checklist_links_to_it(guide):
    section = section_text(guide.pages["/integrated-care-boards/"], "oversee-several-migrations")
    for topic in (
        "go-live dates",
        "supplier capacity",
        "Share a Clinical Safety Officer",
        "Record each migration",
        "CSU",
        "exit costs",
    ):
        assert topic in section, topic
    assert "Mergers between ICBs take effect on 1 April 2027." in guide.pages["/integrated-care-boards/"].html
    items = items_of(guide, "integrated-care-boards")
    assert items["space-go-live-dates"].link == "/integrated-care-boards/#oversee-several-migrations"
    assert items["agree-who-pays-exit-costs"].link == "/integrated-care-boards/#oversee-several-migrations"


# One answer to "who" and "when": each pair below once disagreed; a test per pair, so an edit that re-opens it fails.


def test_the_plan_length_is_the_timelines_own_total_not_12_to_16_weeks(guide):
    assert "{phase:decision.total_length}" in guide.pages["/guide/"].body
    for checklist in guide.checklists.values():
        for item in checklist.items:
            assert "12 to 16 weeks" not in item.text, (checklist.name, item.id)


def test_who_decides_go_live_is_the_same_on_the_page_and_in_the_icb_and_practice_checklists(guide):
    page = section_text(guide.pages[SAFETY], "who-decides-go-live")
    assert "your ICB, which is responsible for the deployment, agrees the decision" in page
    assert "agree the decision" in items_of(guide, "integrated-care-boards")["take-part-in-go-no-go"].text
    assert "record who decided" in items_of(guide, "practice-staff")["hold-go-no-go-meeting"].text


def test_who_to_ask_about_the_nhs_app_and_online_access_is_the_new_supplier_and_the_it_team(guide):
    page = section_text(guide.pages["/guide/telling-patients/"], "keep-online-services-working")
    assert "with the new supplier and your IT team" in page
    assert "IT team" in items_of(guide, "practice-staff")["ask-about-im1-pairing"].text
    assert "new supplier" in items_of(guide, "practice-staff")["check-online-access-settings-carry-over"].text
    reconnect = items_of(guide, "project-managers")["explain-online-reconnection"].text
    assert "new supplier and the IT team" in reconnect


def test_online_re_registration_is_hedged_in_the_checklist_as_the_page_hedges_it(guide):
    assert "If your supplier says this still applies" in guide.pages["/guide/telling-patients/"].body
    assert "Patients may need to register again." in guide.pages["/guide/post-go-live/"].body
    item = items_of(guide, "practice-staff")["help-patients-re-register-online"].text
    assert item.startswith("Ask the new supplier whether patients must register again"), item


def phase_of(guide, role: str, item_id: str) -> str:
    return next(
        phase.slug
        for phase in guide.checklists[role].phases
        for group in phase.groups
        if any(item.id == item_id for item in group.items)
    )


def test_hardware_is_replaced_before_the_cut_over_week_on_the_pages_and_in_the_checklists(guide):
    assert "Do this before the cut-over starts, not during it." in section_text(
        guide.pages["/guide/cutover-and-go-live/"], "hardware-replacement"
    )
    assert "must be finished before the cut-over starts" in guide.pages["/guide/technical-survey/"].body
    for role, item_id in (("practice-staff", "check-hardware-replaced"), ("project-managers", "replace-hardware")):
        assert phase_of(guide, role, item_id) == "plan-cut-over", (role, item_id)
        assert "before the cut-over starts" in items_of(guide, role)[item_id].text, (role, item_id)
    assert (
        "before the cut-over starts"
        in items_of(guide, "integrated-care-boards")["check-funded-hardware-installed"].text
    )


# Style (issue 23): short sentences everywhere, link text that names its target, and our own words.

#: Where a block of text ends on a page: each list item, heading, cell and paragraph is read on its own.
BLOCK_END = re.compile(r"</(li|h[1-6]|p|dt|dd|td|th|summary|legend|div|caption|label)>|<br\s*/?>")
#: The self-link each heading carries ("Link to the section: …") is for screen readers, not part of the sentence.
HEADING_LINK = re.compile(r'<a class="app-heading-link".*?</a>', re.S)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“(\[])")
MOST_WORDS = 25


def blocks_of(page_html: str) -> list[str]:
    text = html.unescape(re.sub(r"<[^>]+>", " ", BLOCK_END.sub("\n", HEADING_LINK.sub("", page_html))))
    return [" ".join(block.split()) for block in text.split("\n") if block.strip()]


def word_count(sentence: str) -> int:
    return sum(1 for word in sentence.split() if re.search(r"\w", word))


def everything_a_reader_reads(guide):
    """(place, text block) for every page's rendered Markdown, every checklist item and every phase summary."""
    for page in guide.pages.values():
        for block in blocks_of(page.html):
            yield page.permalink, block
    for checklist in guide.checklists.values():
        for item in checklist.items:
            yield f"{checklist.name}:{item.id}", item.text
    for step in guide.steps["key-phases"]:
        yield f"phase {step.slug}", " ".join(step.body.split())
        yield f"phase {step.slug}", step.duration


def test_the_sentence_counter_splits_sentences_and_skips_the_heading_links():
    heading = (
        '<h2 id="a">Short title<a class="app-heading-link" href="#a">'
        '<span class="nhsuk-u-visually-hidden">Link to the section: Short title</span></a></h2>'
    )
    assert blocks_of(heading + "<p>One two. Three four?</p><ul><li>five</li></ul>") == [
        "Short title",
        "One two. Three four?",
        "five",
    ]
    assert SENTENCE_END.split("One two. Three four? 5 six.") == ["One two.", "Three four?", "5 six."]
    assert word_count("A list — with a dash, and (brackets).") == 7


def test_no_sentence_on_any_page_checklist_item_or_phase_has_more_than_25_words(guide):
    long = [
        (place, word_count(sentence), sentence)
        for place, block in everything_a_reader_reads(guide)
        for sentence in SENTENCE_END.split(block)
        if word_count(sentence) > MOST_WORDS
    ]
    assert long == []


#: Link text that only makes sense by where it sits on the page, not by where it goes.
POSITIONAL_LINK_TEXT = re.compile(r"\b(below|above|further down|further up|this page|click here|here)\b", re.I)


def test_no_link_text_says_where_the_target_sits_such_as_below_or_further_down_this_page(guide):
    positional = [
        (page.permalink, text)
        for page in guide.pages.values()
        for match in re.finditer(r"<a\b[^>]*>(.*?)</a>", HEADING_LINK.sub("", page.html), re.S)
        if POSITIONAL_LINK_TEXT.search(text := " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match[1])).split()))
    ]
    assert positional == []
    assert "[the first steps in detail](#ready-to-get-started)" in guide.pages["/guide/"].body


#: Ways of saying that who does what depends on the region.
VARIES_BY_REGION = re.compile(
    r"\b(var(y|ies)|differ(s)?)\b[^.]{0,40}\bregion|\bregion to region\b|\b(some|many|your) regions?\b", re.I
)


def test_varies_by_region_is_said_once_on_the_guides_first_page_and_nowhere_else(guide):
    said = [
        (place, match[0])
        for place, block in everything_a_reader_reads(guide)
        for match in VARIES_BY_REGION.finditer(block)
    ]
    assert said == [("/guide/", "varies by region")], said


def seed_intro() -> str:
    if not SEED_PAGE.exists():
        if IN_CI:
            pytest.fail(f"{SEED_PAGE} is needed in CI")
        pytest.skip("the shared seed page is not beside this checkout")
    return SEED_PAGE.read_text(encoding="utf-8").split("---", 2)[2].split("## ", 1)[0]


def runs_of_words(text: str, length: int) -> set[tuple[str, ...]]:
    # A link's text is left out: the seed's link to the whole guide is kept on purpose, with its words.
    words = re.findall(r"[a-z']+", re.sub(r"\[[^\]]*\]\([^)]*\)", " ", text).lower())
    return {tuple(words[index : index + length]) for index in range(len(words) - length + 1)}


def test_the_practice_pages_introduction_is_in_our_own_words_not_the_seeds(guide):
    intro = guide.pages["/practice-staff/"].body
    shared = runs_of_words(intro, 5) & runs_of_words(seed_intro(), 5)
    assert shared == set(), sorted(shared)
    # It still says what the seed's introduction told a reader, and keeps its link to the whole guide.
    assert "[read the guide in full](/prm-practice-migration/guide)" in intro
    assert "every phase" in intro and "delivery partner" in intro


# The remaining pairs of issue 23's "one answer to when" (a test per pair).

NOTICES = "/guide/early-prep-and-planning/#notification-of-3rd-parties-and-links"


def weeks_of(steps, slug: str, key: str) -> int:
    return next(step.meta[key] for step in steps if step.slug == slug)


def test_eps_notice_is_given_in_early_preparation_counted_back_from_final_data_production_with_how_to_tell_eps(
    guide,
):
    page = guide.pages["/guide/early-prep-and-planning/"]
    notices = section_text(page, "notification-of-3rd-parties-and-links")
    assert "Count each one back from final data production (FDP), not from go-live." in notices
    assert "| EPS | {fact:eps-notice} |" in notices
    assert "Give EPS its notice now, in early preparation." in notices
    how = section_text(page, "how-to-tell-eps")
    assert "Agree at your kick-off who tells EPS" in how and "written confirmation" in how
    assert "the date and time of FDP" in how
    # The plan leaves the notice: early preparation ends at least that many weeks before final data production.
    steps = guide.steps["key-phases"]
    notice_weeks = int(re.search(r"\d+", guide.facts["eps-notice"].value)[0])
    early_ends = weeks_of(steps, "early-preparation", END_KEY)
    assert early_ends - weeks_of(steps, "final-data-production", START_KEY) >= notice_weeks
    for role, item_id in (("practice-staff", "tell-eps"), ("project-managers", "check-eps-and-suppliers-told")):
        item = items_of(guide, role)[item_id]
        assert phase_of(guide, role, item_id) == "early-preparation", (role, item_id)
        assert item.link == NOTICES and "back from final data production" in item.text, (role, item.text)
    # The figure lives in the facts file: no page or item restates EPS's notice as a number.
    restated = [
        (place, line)
        for place, text in [(page.permalink, page.body) for page in guide.pages.values()]
        + [(item.id, item.text) for checklist in guide.checklists.values() for item in checklist.items]
        for line in text.splitlines()
        if re.search(r"\bEPS\b|Electronic Prescription Service", line) and re.search(r"\b\d+ weeks?\b", line)
    ]
    assert restated == []


#: Items about training everyone (not the admin users or data checkers who learn first).
ALL_STAFF_TRAINING = re.compile(r"\b(train(ing)? (all )?staff|all-staff training|train all staff)\b", re.I)


def test_all_staff_training_is_one_phase_plan_the_cut_over_on_every_page_item_and_the_timeline(guide):
    [phase] = [step for step in guide.steps["key-phases"] if step.slug == "plan-cut-over"]
    assert phase.title == "Plan the cut-over and train staff" and "Train all staff" in phase.body
    stages = [
        line
        for line in section_text(guide.pages["/guide/training/"], "plan-training-around-the-migration").splitlines()
        if line.startswith("| [")
    ]
    all_staff = [line for line in stages if "all staff" in line]
    assert all_staff == [
        "| [Plan the cut-over and train staff](/guide/planning-for-cut-over#train-staff) | Train all staff on the tasks"
        " they will do from go-live. Finish before the cut-over starts. |"
    ]
    assert "Finish before the cut-over starts" in section_text(
        guide.pages["/guide/planning-for-cut-over/"], "train-staff"
    )
    during = section_text(guide.pages["/guide/cutover-and-go-live/"], "training-on-the-new-system")
    assert "All staff train in the phase before this one" in during
    # What happens during the cut-over no longer includes training staff.
    assert "train staff" not in section_text(
        guide.pages["/guide/planning-for-cut-over/"], "during-the-cut-over-the-key-activities-are"
    )
    items = [
        (role, item.id)
        for role, checklist in guide.checklists.items()
        for item in checklist.items
        if ALL_STAFF_TRAINING.search(item.text)
    ]
    assert ("practice-staff", "train-by-role") in items and ("project-managers", "schedule-role-training") in items
    assert [(role, item_id, phase_of(guide, role, item_id)) for role, item_id in items] == [
        (role, item_id, "plan-cut-over") for role, item_id in items
    ]


def test_cut_over_planning_starts_during_data_checking_in_the_timeline_and_on_both_pages(guide):
    steps = guide.steps["key-phases"]
    checking = (weeks_of(steps, "data-checking", START_KEY), weeks_of(steps, "data-checking", END_KEY))
    planning = weeks_of(steps, "plan-cut-over", START_KEY)
    assert checking[0] > planning > checking[1], (checking, planning)
    assert "starts during data checking" in next(step.duration for step in steps if step.slug == "plan-cut-over")
    timeline = section_text(guide.pages["/guide/initial-data-production/"], "timeline-for-data-checking")
    assert "while checking is still going on" in timeline
    assert "{phase:plan-cut-over.starts_weeks_before_go_live}" in timeline
    assert "once the data is signed off" not in timeline
    assert "You start while [data checking]" in guide.pages["/guide/planning-for-cut-over/"].body


def test_ordering_gets_the_2_weeks_its_duration_says_and_the_plans_total_is_its_first_week(guide):
    steps = guide.steps["key-phases"]
    [order] = [step for step in steps if step.slug == "order"]
    allowed = int(re.search(r"allows (\d+)", order.duration)[1])
    assert order.duration.startswith("1 to 2 weeks") and allowed == 2
    assert order.meta[START_KEY] - order.meta[END_KEY] == allowed
    # Each phase before the kick-off follows the one before it, so the total grows with the order.
    decision = steps[0]
    assert decision.meta[END_KEY] == order.meta[START_KEY]
    assert decision.meta["total_length"] == f"{decision.meta[START_KEY]} weeks"
    assert "Ordering takes {phase:order.duration}. In the plan, it runs {phase:order.when}." in section_text(
        guide.pages["/guide/"], "procure-the-new-system"
    )


# Deferrals named at their source (issue 23): where a published source answers, the guide says what it says.

BUYING = "/guide/further-guidance/#ask-your-icb-which-buying-framework-applies"


def test_the_buying_route_is_named_the_tech_innovation_framework_lot_1_call_off_order_form(guide):
    section = section_text(guide.pages["/guide/further-guidance/"], "ask-your-icb-which-buying-framework-applies")
    assert section.startswith("## Buy through Lot 1 of the Tech Innovation Framework")
    assert "where Lot 1 covers foundation systems. The order is a call-off order form" in section
    assert "Ask your ICB which framework applies" not in section
    assert "call-off order form under Lot 1 of the Tech Innovation Framework" in section_text(
        guide.pages["/guide/"], "procure-the-new-system"
    )
    for role, item_id in (
        ("practice-staff", "ask-icb-which-buying-framework"),
        ("project-managers", "confirm-buying-framework"),
        ("integrated-care-boards", "name-buying-framework"),
    ):
        item = items_of(guide, role)[item_id]
        assert item.link == BUYING and "Lot 1" in item.text and "call-off order form" in item.text, (role, item.text)
        assert "which buying route or framework applies" not in item.text


def test_cancellation_charges_after_ordering_are_on_the_ordering_section_and_the_practice_checklist(guide):
    section = section_text(guide.pages["/guide/"], "procure-the-new-system")
    assert "If the migration is cancelled after the order, you may have to pay charges." in section
    assert "Check your practice agreement for them before you order." in section
    item = items_of(guide, "practice-staff")["check-cancellation-charges"]
    assert item.link == "/guide/#procure-the-new-system" and "cancelled after the order" in item.text
    assert phase_of(guide, "practice-staff", "check-cancellation-charges") == "order"


def test_internet_transfer_and_the_weekend_cut_over_are_named_with_their_facts_for_the_cut_over(guide):
    section = section_text(guide.pages["/guide/planning-for-cut-over/"], "what-is-the-cut-over")
    assert (
        "Since {fact:internet-transfer-since}, NHS England's supplier standard says the extract goes over the internet"
        in (section)
    )
    assert "until {fact:weekend-cut-over-incentive-until}. Ask whether yours still offer one." in section
    assert guide.facts["internet-transfer-since"].value == "16 September 2025"
    item = items_of(guide, "project-managers")["ask-for-internet-transfer-and-weekend-cut-over"]
    assert item.link == "/guide/planning-for-cut-over/#what-is-the-cut-over"
    assert "over the internet" in item.text and "weekend cut-over" in item.text


#: The "who" sections the kick-off and survey pages already had, under their own ids (other pages link to them).
EARLIER_WHO_SECTIONS = {
    "/guide/kick-off/": "who-roles-and-responsibilities",
    "/guide/technical-survey/": "who-completes-this-activity",
}


def test_every_phase_page_has_a_who_is_involved_block_with_a_table_of_who_does_what(guide):
    phase_pages = {
        parse_internal(step.title_url).path for step in guide.steps["key-phases"] if step.title_url.startswith("/")
    }
    assert len(phase_pages) >= 9, phase_pages
    for path in sorted(phase_pages):
        page = guide.pages[path]
        fragment = EARLIER_WHO_SECTIONS.get(path, "who-is-involved")
        section = section_text(page, fragment)
        if fragment == "who-is-involved":
            assert section.startswith("## Who is involved {#who-is-involved}"), path
            table = [line for line in section.splitlines() if line.startswith("| ")]
            assert table[0].startswith("| Who |") and len(table) >= 5, (path, table)
        else:
            assert section.startswith("## Who"), path


@pytest.fixture(scope="module")
def site(built_sites):
    return built_sites()[0].out_dir


MAIN = re.compile(r"<main\b.*?</main>", re.S)


def test_no_sentence_in_the_main_content_of_any_frozen_page_has_more_than_25_words(site):
    """What the templates write too: the checklists' headings and hints, the planner, the forms' pages."""
    from migration_guide.preview import iter_pages

    long = []
    for url in iter_pages(site):
        path = site / "404.html" if url == "/404.html" else site / url.strip("/") / "index.html"
        text = path.read_text(encoding="utf-8")
        found = MAIN.findall(text)
        if not found:  # an old address that redirects: nothing to read
            assert 'http-equiv="refresh"' in text, f"{url} has no <main>"
            continue
        main = re.sub(r"<(script|template|style)\b.*?</\1>", " ", found[0], flags=re.S)
        long += [
            (url, word_count(sentence), sentence)
            for block in blocks_of(main)
            for sentence in SENTENCE_END.split(block)
            if word_count(sentence) > MOST_WORDS
        ]
    assert long == []
