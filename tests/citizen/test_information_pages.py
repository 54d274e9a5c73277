"""Help, contact and the accessibility statement show every section the catalog holds, in the chosen language."""
import pytest

from lib.core.i18n import t
from tests.conftest import open_portal_as

PAGES = {
    "help": ["help.title", *(f"help.{topic}.q" for topic in ("ready", "file", "track", "hearing", "language"))],
    "contact": ["contact.title", "contact.hours.title", "contact.portal.title"],
    "accessibility": ["a11y.title", "a11y.features.title", "a11y.limits.title", "a11y.report.title"],
}


@pytest.mark.parametrize("language", ["hi", "en"])
@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_heading_of_the_page_is_shown(demo_users, page, language):
    at = open_portal_as(None)
    at.session_state["language"] = language
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    shown = [e.value for e in at.title] + [e.value for e in at.subheader]
    assert shown == [t(language, key) for key in PAGES[page]]
