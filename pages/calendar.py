"""Hearings calendar: month, week and day views coloured by status (the DC's office sees every officer, an officer
their own), the DC's briefing on today's hearings, and the officer's hearings as an .ics file or a calendar feed."""
from lib import ui

ui.guard("calendar")

from datetime import date, datetime, timedelta  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit_calendar import calendar  # noqa: E402

from lib.hearings import booking, calendar_export, officers, slots  # noqa: E402
from lib.ui import calendar_feed, case_page  # noqa: E402
from lib.core.roles import Role  # noqa: E402
from lib.core.i18n import name_in  # noqa: E402
from lib.citizen.receipt import format_time  # noqa: E402
from lib.core.states import HOLDING, HearingStatus

CLICKS_KEY = "calendar_clicks"     # a new component key after each handled click, so it is not handled twice
LEGEND = {HearingStatus.BOOKED: "blue", HearingStatus.ATTENDED: "green",
          HearingStatus.NO_SHOW: "orange", HearingStatus.CANCELLED: "gray",
          HearingStatus.RESCHEDULED: "gray"}

user = ui.require_user()
con = ui.connection()
lang = ui.language()
choices = ui.form_choices()
now = datetime.now(slots.IST)
hearing_officers = officers.list_officers(con)
titles = officers.titles(hearing_officers, lang)


def table(rows: list, columns: list[str]) -> None:
    """Plain-text cells: citizens' and officers' words are never rendered as markdown."""
    st.dataframe(pd.DataFrame(rows, columns=columns), hide_index=True, width="stretch")


def open_complaint(tracking_no: str) -> None:
    st.switch_page("pages/complaint_detail.py", query_params={"no": tracking_no})


def place_name(lgd: int) -> str:
    place = choices.places.get(lgd)
    return name_in(lang, place.name_en, place.name_hi) if place else "—"


def category_name(code: str) -> str:
    en, hi, _ = choices.categories.get(code, (code, code, None))
    return name_in(lang, en, hi)


def department_name(code: str | None) -> str:
    en, hi = choices.departments.get(code, (code or "—", code or "—"))
    return name_in(lang, en, hi)


st.title(ui.tr("nav.calendar"))
try:                    # a complaint's "show on the calendar" opens the calendar on its hearing's day
    focus = date.fromisoformat(st.query_params.get("date", ""))
except ValueError:
    focus = None

if user.role == Role.DC:
    everyone = ui.tr("agenda.all_officers")      # format_func may run outside this script run
    officer = ui.or_none(st.selectbox(ui.tr("agenda.officer"), [ui.NO_CHOICE, *(o.username for o in hearing_officers)],
                                      key="calendar_officer",
                                      format_func=lambda u: everyone if u == ui.NO_CHOICE else titles.get(u, u)))
else:
    officer = user.username            # the SQL scopes an officer to their own hearings anyway
show_called_off = st.toggle(ui.tr("agenda.show_called_off"), key="calendar_called_off")
around = focus or now.date()
shown = [s for s in calendar_export.scheduled_hearings(con, user, around - timedelta(days=62),
                                                       around + timedelta(days=92), officer)
         if show_called_off or s.hearing.status in HOLDING]
focus = focus or calendar_export.opening_day(shown, now.date())
st.markdown(" · ".join(f":{colour}[■ {ui.tr(f'hearing.status.{status}')}]" for status, colour in LEGEND.items()
                       if show_called_off or status in HOLDING))

clicks = st.session_state.setdefault(CLICKS_KEY, 0)
state = calendar(events=calendar_export.calendar_events(shown, lang, {s.place_lgd: place_name(s.place_lgd) for s in shown}),
                 options=calendar_export.calendar_options(lang, focus), callbacks=["eventClick"],
                 key=f"hearing_calendar_{focus.isoformat()}_{officer}_{show_called_off}_{lang}_{clicks}")
clicked = calendar_export.clicked_hearing(state)
picked = next((s for s in shown if s.hearing.id == clicked), None)   # only a hearing this user was shown
if picked:
    st.session_state[CLICKS_KEY] = clicks + 1
    open_complaint(picked.tracking_no)

# The same hearings as a list: readable without the calendar, and each opens its complaint.
coming = [s for s in shown if s.hearing.ends_at >= now and s.hearing.status == HearingStatus.BOOKED]
st.subheader(ui.tr("agenda.upcoming"))
if coming:
    table([(s.hearing.when(), s.tracking_no, titles.get(s.hearing.officer, s.hearing.officer),
            category_name(s.category_code), place_name(s.place_lgd)) for s in coming],
          [ui.tr("hearing.col.when"), ui.tr("agenda.col.tracking_no"), ui.tr("hearing.col.officer"),
           ui.tr("agenda.col.category"), ui.tr("agenda.col.place")])
    numbers = list(dict.fromkeys(s.tracking_no for s in coming))
    chosen = st.selectbox(ui.tr("agenda.pick"), numbers, key="calendar_pick")
    if st.button(ui.tr("agenda.open"), key="calendar_open"):
        open_complaint(chosen)
else:
    st.caption(ui.tr("agenda.none_upcoming"))

# ---- the DC's briefing ----
st.subheader(ui.tr("agenda.briefing", day=now.strftime("%d-%m-%Y")))
briefs = [b for b in calendar_export.todays_briefing(con, user, now.date())
          if officer is None or b.scheduled.hearing.officer == officer]
if not briefs:
    st.caption(ui.tr("agenda.briefing_none"))
for b in briefs:
    h = b.scheduled.hearing
    with st.expander(f"{h.starts_at:%H:%M} IST · {b.scheduled.tracking_no} · {titles.get(h.officer, h.officer)}"):
        if h.status == HearingStatus.BOOKED and booking.may_join(user, h):
            case_page.join_button(h.join_url, f"briefing_join_{h.id}")      # the citizen's own link
        table([(ui.tr("hearing.col.status"), ui.tr(f"hearing.status.{h.status}")),
               (ui.tr("agenda.col.complaint_status"), ui.tr(f"status.{b.scheduled.complaint_status}")),
               (ui.tr("agenda.col.filed"), format_time(b.filed_at)),
               (ui.tr("agenda.col.category"), category_name(b.scheduled.category_code)),
               (ui.tr("agenda.col.department"), department_name(b.department_code)),
               (ui.tr("agenda.col.place"), place_name(b.scheduled.place_lgd)),
               (ui.tr("agenda.col.ward"), str(b.ward) if b.ward else "—"),
               (ui.tr("agenda.col.subject"), b.subject)],
              [ui.tr("agenda.brief.complaint"), " "])
        st.caption(ui.tr("agenda.brief.description"))
        st.text(b.description)
        st.caption(ui.tr("agenda.brief.related"))
        if b.related:
            table([(r.tracking_no, format_time(r.filed_at), ui.tr(f"status.{r.status}"),
                    ui.tr("hearing.yes") if r.resolved_at else ui.tr("hearing.no"),
                    ui.tr(f"feedback.{r.feedback}") if r.feedback else "—", category_name(r.category_code),
                    r.subject, ", ".join(ui.tr(f"agenda.why.{why}") for why, yes in
                                         (("family", r.same_family), ("person", r.same_person),
                                          ("mobile", r.same_mobile), ("village", r.same_village)) if yes))
                   for r in b.related],
                  [ui.tr("agenda.col.tracking_no"), ui.tr("agenda.col.filed"), ui.tr("agenda.col.complaint_status"),
                   ui.tr("hearing.col.resolved"), ui.tr("hearing.col.feedback"), ui.tr("agenda.col.category"),
                   ui.tr("agenda.col.subject"), ui.tr("agenda.col.why")])
        else:
            st.caption(ui.tr("agenda.brief.no_related"))
        st.caption(ui.tr("agenda.brief.reports"))
        if b.reports:
            table([(number, department_name(dept), format_time(filed_at), text)
                   for number, dept, filed_at, text in b.reports],
                  [ui.tr("agenda.col.tracking_no"), ui.tr("agenda.col.department"), ui.tr("agenda.col.filed"),
                   ui.tr("agenda.col.report")])
        else:
            st.caption(ui.tr("agenda.brief.no_reports"))
        if st.button(ui.tr("agenda.open"), key=f"briefing_open_{h.id}"):
            open_complaint(b.scheduled.tracking_no)

# ---- the officer's hearings for their own calendar program ----
st.subheader(ui.tr("agenda.download_title"))
if user.role == Role.DC:
    holders = [o.username for o in hearing_officers]
    whose = st.selectbox(ui.tr("agenda.officer"), holders, key="ics_officer", format_func=lambda u: titles.get(u, u),
                         index=holders.index(user.username) if user.username in holders else 0) if holders else None
else:
    whose = user.username
if whose:
    mine = calendar_export.scheduled_hearings(con, user, now.date() - timedelta(days=30),
                                              now.date() + timedelta(days=366), whose)
    ics = calendar_export.hearings_ics(mine, ui.tr("agenda.ics_name", officer=titles.get(whose, whose)), lang,
                                       titles, now)
    st.caption(ui.tr("agenda.download_hint", count=len(mine)))
    st.download_button(ui.tr("agenda.download"), ics.encode("utf-8"), file_name=f"hearings-{whose}.ics",
                       mime="text/calendar", key="ics_download")
else:
    st.caption(ui.tr("hearing.no_officers"))

# ---- the same hearings as a feed a calendar app subscribes to (the secret address) ----
calendar_feed.subscribe_section(con, user)
