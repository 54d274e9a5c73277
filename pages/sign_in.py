"""Sign in for the DC's office, department officers, analysts and admins."""
from lib import ui

ui.guard("sign_in")

import streamlit as st  # noqa: E402  (after the guard: nothing runs before it)

from lib.staff import access  # noqa: E402

user = ui.current_user()
if user is not None:
    # Signed in (app.py has registered this role's pages): go to the role's first page.
    st.switch_page(f"pages/{access.pages_for(user.role)[0]}.py")

st.caption(ui.tr("signin.intro"))
if ui.sign_in_form(ui.authenticator()):
    # No st.rerun() here: it would discard this run's cookie write. The cookie component reruns
    # the app once the browser has stored the cookie; the button is for a browser that does not.
    st.success(ui.tr("signin.success"))
    st.button(ui.tr("signin.continue"), key="sign_in_continue", type="primary")
