"""The portal's address "/": sends each visitor on to the first page of their role."""
from lib import ui

ui.guard("home")

import streamlit as st  # noqa: E402  (after the guard: nothing runs before it)

from lib.staff import access  # noqa: E402

# Keep the link's query parameters (a shared analytics view, say) on the way.
st.switch_page(f"pages/{access.pages_for(ui.role())[0]}.py", query_params=st.query_params.to_dict())
