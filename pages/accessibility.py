"""The accessibility statement (GIGW 3.0): the standard the portal meets, how, what is known not to work, whom to tell."""
from lib import ui

ui.guard("accessibility")

from lib.ui import info_page  # noqa: E402  (after the guard: nothing runs before it)

info_page.show("a11y.title",
               sections=((None, "a11y.commitment"), ("a11y.features.title", "a11y.features"),
                         ("a11y.limits.title", "a11y.limits"), ("a11y.report.title", "a11y.report")),
               links=(("pages/contact.py", "nav.contact", "📞"),),
               caption="a11y.reviewed")
