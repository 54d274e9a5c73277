"""Contact: where the Deputy Commissioner's office is and when it hears citizens in person (GIGW 3.0 asks for it)."""
from lib import ui

ui.guard("contact")

from lib.ui import info_page  # noqa: E402  (after the guard: nothing runs before it)

info_page.show("contact.title",
               sections=((None, "contact.address"), ("contact.hours.title", "contact.hours"),
                         ("contact.portal.title", "contact.portal")),
               links=(("pages/help.py", "nav.help", "❓"),))
