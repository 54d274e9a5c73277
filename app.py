"""Frame and router of the e-Sachivalaya portal: page config, language, and the pages this session's role may open."""
from pathlib import Path

import streamlit as st

from lib.staff import access
from lib import ui

HERE = Path(__file__).parent

ui.start_frame()
ui.restore_sign_in()          # before st.navigation: the role decides which pages exist
# One call, once the role is known: officers work with wide tables, citizens read a phone-width
# column. (A second call that only widened the page was lost after st.switch_page.)
st.set_page_config(page_title=ui.PAGE_TITLE, page_icon="🏛️",
                   layout="wide" if ui.current_user() is not None else "centered")

# Only the pages of this role are registered: st.navigation refuses any other URL server-side.
home = access.PageName.HOME


def make_pages(role: str) -> list[st.Page]:
    return [st.Page(HERE / "pages" / f"{home}.py", title=ui.tr(f"nav.{home}"), url_path=str(home), default=True,
                    visibility="hidden")] + [
        st.Page(HERE / "pages" / f"{name}.py", title=ui.tr(f"nav.{name}"), url_path=str(name))
        for name in access.pages_for(role)
    ] + [
        st.Page(HERE / "pages" / f"{name}.py", title=ui.tr(f"nav.{name}"), url_path=str(name), visibility="hidden")
        for name in access.hidden_pages_for(role) if name != home
    ]


role = ui.role()
pages = ui.session_pages(role, lambda: make_pages(role))
# Officers get the top menu; citizens get the header's visible links (no menu to find on a phone).
st.navigation(pages, position="top" if ui.current_user() is not None else "hidden").run()
