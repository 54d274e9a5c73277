"""The Places tab: the Hindi names of villages and towns, one at a time or as a CSV file."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import ui
from lib.core.places import PlaceKind
from lib.core.problems import InvalidInput, Problem
from lib.staff import place_names
from lib.ui.admin import Desk, outcome, problems_of, show_form_problems, show_success

state = st.session_state


def name_submitted(desk: Desk, lgd_code: int) -> None:
    try:
        place_names.set_name_hi(desk.con, lgd_code, state.get(f"place_name_hi_{lgd_code}", ""), desk.admin.username)
    except InvalidInput as exc:
        outcome("place", exc.problems)
        return
    ui.form_choices.clear()             # the filing form shows the new name
    outcome("place", success=("admin.places.saved", {"code": lgd_code}))


def import_submitted(desk: Desk) -> None:
    upload = state.get("places_csv")
    if upload is None:
        outcome("places_import", [Problem("file", "admin.places.error.no_file")])
        return
    try:
        changed = place_names.import_csv(desk.con, upload.getvalue(), desk.admin.username)
    except InvalidInput as exc:
        outcome("places_import", exc.problems)
        return
    ui.form_choices.clear()
    outcome("places_import", success=("admin.places.imported", {"count": changed}))


def render(desk: Desk) -> None:
    st.caption(ui.tr("admin.places.intro"))
    places = place_names.list_places(desk.con)
    by_code = {p.lgd_code: p for p in places}
    st.dataframe(pd.DataFrame(
        [(p.lgd_code, p.name_en, p.name_hi or "—", ui.tr(f"admin.places.kind.{p.kind}"), p.tehsil_lgd,
          p.subtehsil_lgd or "—", p.census2011_code or "—", ui.tr("admin.yes") if p.in_district else ui.tr("admin.no"))
         for p in places],
        columns=[ui.tr("admin.places.code"), ui.tr("admin.places.name_en"), ui.tr("admin.places.name_hi"),
                 ui.tr("admin.places.kind"), ui.tr("admin.places.tehsil"), ui.tr("admin.places.subtehsil"),
                 ui.tr("admin.places.census"), ui.tr("admin.places.in_district")]),
        hide_index=True, width="stretch")

    code = st.selectbox(ui.tr("admin.places.pick"), options=list(by_code), index=None, key="edit_place",
                        placeholder=ui.tr("admin.pick"),
                        format_func=lambda c: f"{by_code[c].name_en} ({c})"
                        + (" — " + ui.tr("admin.places.kind.town") if by_code[c].kind == PlaceKind.TOWN else ""))
    show_success("place")
    if code:
        problems = problems_of("place")
        show_form_problems("place", ("name_hi",))
        with st.form(f"place_form_{code}"):
            st.text_input(ui.tr("admin.places.name_hi"), value=by_code[code].name_hi or "",
                          key=f"place_name_hi_{code}", max_chars=place_names.NAME_HI_MAX,
                          help=ui.tr("admin.places.name_hi.help"))
            ui.show_problems(problems, "name_hi")
            st.form_submit_button(ui.tr("admin.places.submit"), type="primary", on_click=name_submitted,
                                  args=(desk, code), key=f"place_submit_{code}")

    st.subheader(ui.tr("admin.places.csv"))
    st.caption(ui.tr("admin.places.csv.help"))
    st.download_button(ui.tr("admin.places.export"), data=place_names.export_csv(desk.con),
                       file_name="rewari_places_hindi.csv", mime="text/csv", key="places_export")
    show_success("places_import")
    with st.form("places_import_form"):
        st.file_uploader(ui.tr("admin.places.import_file"), type=["csv"], key="places_csv")
        for problem in problems_of("places_import"):
            st.error(ui.tr(problem.key, **problem.params), icon="⚠️")
        st.form_submit_button(ui.tr("admin.places.import"), on_click=import_submitted, args=(desk,),
                              key="places_import_submit")
