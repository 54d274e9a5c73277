"""File a complaint: the public form, then the acknowledgement with tracking number and receipt.

A CSC operator (assisted filing) fills the same form for a walk-in citizen; its button then sends
the citizen a code, and the complaint is filed once the citizen's code is typed (lib/ui/assisted.py)."""
from lib import ui

ui.guard("file_complaint")

import logging  # noqa: E402  (after the guard: nothing runs before it)
import uuid  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from lib.citizen import filing  # noqa: E402
from lib.core.complaints import HearingMode, IdType  # noqa: E402
from lib.core.i18n import name_in, t  # noqa: E402
from lib.core.place_search import narrowed_places  # noqa: E402
from lib.core.problems import InvalidInput  # noqa: E402
from lib.citizen.receipt import receipt_text, summary_rows  # noqa: E402
from lib.citizen.tracking import load_public_complaint  # noqa: E402
from lib.ui import assisted  # noqa: E402

# Every widget key carries the form's generation: after a successful filing the generation moves
# on, which gives the next citizen an empty form (file uploaders cannot be cleared otherwise).
gen = st.session_state.setdefault("form_generation", 0)
token = st.session_state.setdefault("form_token", uuid.uuid4().hex)
k = lambda name: f"{name}_{gen}"  # noqa: E731
lang = ui.language()
choices = ui.form_choices()
operator = assisted.is_operator(ui.current_user())     # filing for a walk-in citizen at a CSC


def upload_of(value) -> filing.UploadedFile | None:
    return filing.UploadedFile(name=value.name, data=value.getvalue()) if value is not None else None


def form_from_widgets() -> filing.ComplaintForm:
    state = st.session_state
    place = state.get(k(f"place_{state.get(k('tehsil'))}"))
    return filing.ComplaintForm(
        language=ui.language(),
        name=state.get(k("name"), ""),
        mobile=state.get(k("mobile"), ""),
        email=state.get(k("email"), ""),
        id_type=state.get(k("id_type")),
        id_number=state.get(k("id_number"), ""),
        id_document=upload_of(state.get(k("id_document"))),
        tehsil_lgd=state.get(k("tehsil")),
        place_lgd=place,
        ward=state.get(k(f"ward_{place}")),
        locality=state.get(k("locality"), ""),
        category_code=state.get(k("category")),
        department_code=ui.or_none(state.get(k(f"department_{state.get(k('category'))}"))),
        subject=state.get(k("subject"), ""),
        description=state.get(k("description"), ""),
        photos=tuple(upload_of(p) for p in (state.get(k("photos")) or [])),
        hearing_mode=state.get(k("hearing_mode"), HearingMode.VIDEO),
        preferred_dates=tuple(d for d in (state.get(k(f"date_{i}")) for i in range(3)) if d),
        consent=bool(state.get(k("consent"))),
        submission_token=token,
    )


def filed(ack: filing.Acknowledgement, centre: str | None = None) -> None:
    """The next run shows the acknowledgement; the next citizen gets an empty form."""
    st.session_state["acknowledgement"] = ack
    st.session_state[assisted.CENTRE] = centre
    st.session_state["form_generation"] = gen + 1
    st.session_state["form_token"] = uuid.uuid4().hex


def start_afresh() -> None:
    st.session_state["form_generation"] = gen + 1
    st.session_state["form_token"] = uuid.uuid4().hex


def submit() -> None:
    """Runs before the page re-renders, so problems can be shown beside their fields."""
    state = st.session_state
    form = form_from_widgets()
    state["form_problems"] = []
    state["form_submits"] = state.get("form_submits", 0) + 1     # a new jump to the first problem
    state.pop("form_failed", None)
    if operator:                     # nothing is filed before the citizen's code is typed
        state["form_problems"] = assisted.send_code(form)
        return
    try:
        ack = filing.file_complaint(ui.connection(), ui.settings(), form, choices,
                                    track_url=ui.settings().track_url, client=ui.client_address())
    except InvalidInput as exc:
        state["form_problems"] = exc.problems
        return
    except Exception:
        # Nothing was saved (the filing is one transaction and removes its files on failure);
        # tell the citizen plainly and keep what they typed, rather than show a traceback.
        logging.getLogger(__name__).exception("filing a complaint failed")
        state["form_failed"] = True
        return
    filed(ack)


def show_acknowledgement(ack: filing.Acknowledgement) -> None:
    complaint = load_public_complaint(ui.connection(), ack.complaint_id)
    centre = st.session_state.get(assisted.CENTRE) if operator else None
    st.success(ui.tr("ack.title"), icon="✅")
    st.markdown(f"### {ui.tr('ack.tracking_no')}: `{ack.tracking_no}`")
    if ack.duplicate_submit:
        st.info(ui.tr("ack.duplicate"))
    st.write(ui.tr("ack.keep", mobile=complaint.masked_mobile))
    st.subheader(ui.tr("ack.summary"))
    st.dataframe(pd.DataFrame(summary_rows(lang, complaint, choices, centre), columns=["", " "]),
                 hide_index=True, width="stretch")
    if operator:
        assisted.receipt_downloads(lang, complaint, choices, centre, key="ack_receipt")
        st.page_link("pages/filed_by_me.py", label=ui.tr("nav.filed_by_me"), icon="📋")
    else:
        st.download_button(ui.tr("ack.download"), data=receipt_text(lang, complaint, choices),
                           file_name=f"{ack.tracking_no}.txt", mime="text/plain; charset=utf-8")
        st.caption(ui.tr("ack.track_hint"))
        st.page_link("pages/track_complaint.py", label=ui.tr("nav.track_complaint"), icon="🔎")
    if st.button(ui.tr("ack.file_another")):
        del st.session_state["acknowledgement"]
        st.rerun()


if "acknowledgement" in st.session_state:
    show_acknowledgement(st.session_state["acknowledgement"])
    st.stop()
if operator and assisted.PENDING in st.session_state:
    assisted.show_code_step(on_filed=filed, on_cancel=start_afresh)
    st.stop()

problems = st.session_state.get("form_problems", [])
st.title(ui.tr("assisted.form.title") if operator else ui.tr("form.title"))
st.caption(ui.tr("assisted.form.intro") if operator else ui.tr("form.intro"))
if st.session_state.get("form_failed"):
    st.error(ui.tr("form.failed"))
if problems:
    st.error(ui.tr("form.fix_problems", count=len(problems)))

st.subheader(ui.tr("form.section.you"))
st.text_input(ui.tr("form.name"), key=k("name"), max_chars=100)
ui.show_problems(problems, "name")
st.text_input(ui.tr("form.mobile"), key=k("mobile"), max_chars=20, help=ui.tr("form.mobile.help"),
              placeholder="98XXXXXXXX")
ui.show_problems(problems, "mobile")
id_type = st.radio(ui.tr("form.id_type"), options=list(IdType), key=k("id_type"), horizontal=True,
                   format_func=lambda v: t(lang, f"id_type.{v}"))
ui.show_problems(problems, "id_type")
st.text_input(ui.tr(f"form.id_number.{id_type}"), key=k("id_number"), max_chars=20,
              help=ui.tr("form.id_number.help") if id_type == IdType.AADHAAR else None)
ui.show_problems(problems, "id_number")
st.file_uploader(ui.tr("form.id_document"), type=["jpg", "jpeg", "png", "pdf"], key=k("id_document"),
                 help=ui.tr("form.id_document.help"))
ui.show_problems(problems, "id_document")

st.subheader(ui.tr("form.section.where"))
tehsil = st.selectbox(ui.tr("form.tehsil"), options=list(choices.tehsils), index=None, key=k("tehsil"),
                      placeholder=ui.tr("form.pick"),
                      format_func=lambda c: name_in(lang, choices.tehsils[c].name_en, choices.tehsils[c].name_hi))
ui.show_problems(problems, "tehsil")
# The place and ward pickers are keyed by their parent, so a new tehsil starts with an empty pick.
# The picker's own filter matches its labels letter for letter; the search box above it also finds a
# Latin-named village from Devanagari or an LGD spelling ("खुरसैद" finds Khursaid Nagar) and narrows
# the picker's list to what it found, best first.
place_search = st.text_input(ui.tr("form.place_search"), key=k(f"place_search_{tehsil}"), max_chars=60,
                             disabled=tehsil is None, help=ui.tr("form.place_search.help"))
place_options, found = narrowed_places(place_search, choices.places_of(tehsil) if tehsil is not None else [],
                                       lang, st.session_state.get(k(f"place_{tehsil}")))
if place_search.strip() and tehsil is not None:
    st.caption(ui.tr("form.place_search.found", count=found) if found
               else ui.tr("form.place_search.none", query=place_search.strip()))
place = st.selectbox(
    ui.tr("form.place"), options=place_options, index=None, key=k(f"place_{tehsil}"),
    placeholder=ui.tr("form.pick"), disabled=tehsil is None,
    format_func=lambda c: name_in(lang, choices.places[c].name_en, choices.places[c].name_hi)
    + (f" {t(lang, 'form.town_suffix')}" if choices.places[c].is_town else ""))
ui.show_problems(problems, "place")
if place is not None and choices.places[place].is_town:
    st.selectbox(ui.tr("form.ward"), options=choices.places[place].ward_numbers(), index=None,
                 key=k(f"ward_{place}"), placeholder=ui.tr("form.pick"))
    ui.show_problems(problems, "ward")

st.subheader(ui.tr("form.section.what"))
category = st.selectbox(ui.tr("form.category"), options=list(choices.categories), index=None,
                        key=k("category"), placeholder=ui.tr("form.pick"),
                        format_func=lambda c: name_in(lang, *choices.categories[c][:2]))
ui.show_problems(problems, "category")
usual_department = choices.categories[category][2] if category else None
# "Not sure" is a real choice (ui.NO_CHOICE), so a language switch shows it in the new language.
departments = [ui.NO_CHOICE] + list(choices.departments)
st.selectbox(ui.tr("form.department"), options=departments, key=k(f"department_{category}"),
             index=departments.index(usual_department) if usual_department in departments else 0,
             format_func=lambda c: t(lang, "form.department.not_sure") if c == ui.NO_CHOICE
             else name_in(lang, *choices.departments[c]))
ui.show_problems(problems, "department")
st.text_input(ui.tr("form.subject"), key=k("subject"), max_chars=filing.TEXT_LIMITS["subject"][1])
ui.show_problems(problems, "subject")
st.text_area(ui.tr("form.description"), key=k("description"), help=ui.tr("form.description.help"),
             max_chars=filing.TEXT_LIMITS["description"][1], height=160)
ui.show_problems(problems, "description")

optional_problems = {"email", "locality", "photos", "hearing_mode", "preferred_dates"}
with st.expander(ui.tr("form.optional"), expanded=any(p.field in optional_problems for p in problems)):
    st.text_input(ui.tr("form.email"), key=k("email"), max_chars=254)
    ui.show_problems(problems, "email")
    st.text_input(ui.tr("form.locality"), key=k("locality"), max_chars=filing.TEXT_LIMITS["locality"][1])
    ui.show_problems(problems, "locality")
    st.file_uploader(ui.tr("form.photos"), type=["jpg", "jpeg", "png"], accept_multiple_files=True,
                     key=k("photos"))
    ui.show_problems(problems, "photos")
    st.radio(ui.tr("form.hearing_mode"), options=list(HearingMode), key=k("hearing_mode"),
             format_func=lambda v: t(lang, f"hearing_mode.{v}"))
    st.caption(ui.tr("form.preferred_dates"))
    for i in range(filing.MAX_PREFERRED_DATES):
        st.date_input(ui.tr("form.preferred_date", n=i + 1), value=None, key=k(f"date_{i}"),
                      format="DD-MM-YYYY")
    ui.show_problems(problems, "preferred_dates")

st.checkbox(ui.tr("form.consent"), key=k("consent"))
ui.show_problems(problems, "consent")
ui.show_problems(problems, "submit")           # the filing limits (per connection, per mobile)
# After a Submit with problems: all of them right above the button, and a jump to the first one's field.
if problems:
    # Each field's name and widget key, in the form's order (the filing limits belong to no field).
    fields = {"name": "name", "mobile": "mobile", "id_type": "id_type", "id_number": f"id_number.{id_type}",
              "id_document": "id_document", "tehsil": "tehsil", "place": "place", "ward": "ward",
              "category": "category", "department": "department", "subject": "subject",
              "description": "description", "email": "email", "locality": "locality", "photos": "photos",
              "hearing_mode": "hearing_mode", "preferred_dates": "preferred_dates", "consent": "consent.short"}
    widgets = {"place": f"place_{tehsil}", "ward": f"ward_{place}", "department": f"department_{category}",
               "preferred_dates": "date_0"}
    first = min((p.field for p in problems), key=lambda f: list(fields).index(f) if f in fields else len(fields))
    ui.problem_list(problems, {f: ui.tr(f"form.{label}") for f, label in fields.items()}, key="form_problem_list",
                    first_widget=k(widgets.get(first, first)) if first in fields else "submit_complaint",
                    nonce=st.session_state.get("form_submits", 0))
st.button(ui.tr("assisted.form.submit") if operator else ui.tr("form.submit"), type="primary", on_click=submit,
          width="stretch", key="submit_complaint")
