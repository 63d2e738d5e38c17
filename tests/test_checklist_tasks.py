"""The checklists are what a practice works from, so each task a 2026 migration needs is an item on its role's
checklist, linked to the section that explains it. These tests read the real content and name each task."""

import pytest

from migration_guide.config import Settings
from migration_guide.content.loading import load_guide

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
