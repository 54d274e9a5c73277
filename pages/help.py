"""Help for citizens: what to keep ready, how to file, how to follow the complaint (GIGW 3.0 asks for it)."""
from lib import ui

ui.guard("help")

from lib.ui import info_page  # noqa: E402  (after the guard: nothing runs before it)

info_page.show("help.title", intro="help.intro",
               sections=tuple((f"help.{topic}.q", f"help.{topic}.a")
                              for topic in ("ready", "file", "track", "hearing", "language")),
               links=(("pages/file_complaint.py", "nav.file_complaint", "📝"),
                      ("pages/track_complaint.py", "nav.track_complaint", "🔎")))
