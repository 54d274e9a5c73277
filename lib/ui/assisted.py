"""The citizens' form in its assisted mode (a CSC operator files for a walk-in citizen): the code
step between "send the code" and the filing, and the printable receipt (lib/citizen/assisted.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import streamlit as st

from lib import ui
from lib.citizen import assisted
from lib.citizen.filing import Acknowledgement, ComplaintForm
from lib.citizen.one_time_codes import CodeCheck
from lib.citizen.receipt import format_time, receipt_html, receipt_text
from lib.citizen.tracking import PublicComplaint
from lib.core.problems import InvalidInput, Problem
from lib.core.roles import Role, User

PENDING = "assisted_pending"         # the form waiting for the citizen's code
CODE_PROBLEMS = "assisted_code_problems"
CODE_INPUT = "assisted_code"
CENTRE = "assisted_centre"           # the centre of the acknowledgement on screen
REFUSALS = {CodeCheck.WRONG: "assisted.code_wrong", CodeCheck.SPENT: "assisted.code_spent",
            CodeCheck.EXPIRED: "assisted.code_expired", CodeCheck.NONE_SENT: "assisted.code_none_sent"}


@dataclass(frozen=True)
class Pending:
    """The form exactly as the code was sent for it (the code confirms this form and no other)."""
    form: ComplaintForm
    sent_to: str


def is_operator(user: User | None) -> bool:
    return user is not None and user.role == Role.OPERATOR


def send_code(form: ComplaintForm) -> list[Problem]:
    """The "send the code" button: the form's problems, or none and the code step opens."""
    user = ui.require_user()
    try:
        sent = assisted.request_code(ui.connection(), ui.settings(), form, ui.form_choices(), user.username)
    except InvalidInput as exc:
        return exc.problems
    if sent.retry_at is not None:
        return [Problem("submit", "assisted.error.codes_wait", {"time": format_time(sent.retry_at)})]
    st.session_state[PENDING] = Pending(form, sent.to)
    st.session_state[CODE_PROBLEMS] = []
    return []


def _resend() -> None:
    pending: Pending = st.session_state[PENDING]
    problems = send_code(pending.form)
    st.session_state[CODE_PROBLEMS] = problems or [Problem("code", "assisted.code_resent", {"to": pending.sent_to})]
    st.session_state[CODE_INPUT] = ""


def _confirm(on_filed: Callable[[Acknowledgement, str], None]) -> None:
    state = st.session_state
    pending: Pending = state[PENDING]
    typed = state.get(CODE_INPUT, "")
    state[CODE_INPUT] = ""
    user = ui.require_user()
    try:
        result = assisted.confirm_and_file(ui.connection(), ui.settings(), pending.form, ui.form_choices(),
                                           user.username, typed, track_url=ui.settings().track_url)
    except InvalidInput as exc:
        state[CODE_PROBLEMS] = exc.problems
        return
    if result.acknowledgement is None:
        state[CODE_PROBLEMS] = [Problem("code", REFUSALS[result.verdict], {"left": result.tries_left})]
        return
    del state[PENDING]
    state[CODE_PROBLEMS] = []
    on_filed(result.acknowledgement, assisted.operator(ui.connection(), user.username).centre)


def _cancel(on_cancel: Callable[[], None]) -> None:
    del st.session_state[PENDING]
    st.session_state[CODE_PROBLEMS] = []
    on_cancel()


def show_code_step(on_filed: Callable[[Acknowledgement, str], None], on_cancel: Callable[[], None]) -> None:
    """Ask for the code the citizen received; nothing is filed before it is right."""
    pending: Pending = st.session_state[PENDING]
    st.title(ui.tr("assisted.code.title"))
    st.info(ui.tr("assisted.code.sent", to=pending.sent_to), icon="📱")
    st.caption(ui.tr("assisted.code.nothing_yet"))
    for problem in st.session_state.get(CODE_PROBLEMS, []):
        show = st.success if problem.key == "assisted.code_resent" else st.error
        show(ui.tr(problem.key, **problem.params))
    st.text_input(ui.tr("assisted.code.label"), key=CODE_INPUT, max_chars=6, help=ui.tr("assisted.code.help"))
    st.button(ui.tr("assisted.code.confirm"), type="primary", on_click=_confirm, args=(on_filed,),
              key="assisted_confirm", width="stretch")
    with st.container(horizontal=True):
        st.button(ui.tr("assisted.code.resend"), on_click=_resend, key="assisted_resend")
        st.button(ui.tr("assisted.code.cancel"), on_click=_cancel, args=(on_cancel,), key="assisted_cancel")


def receipt_downloads(lang: str, complaint: PublicComplaint, choices, centre: str | None, key: str) -> None:
    """The citizen's receipt, to print (a page without the portal around it) or to save as text."""
    with st.container(horizontal=True):
        st.download_button(ui.tr("assisted.receipt.print"), data=receipt_html(lang, complaint, choices, centre),
                           file_name=f"{complaint.tracking_no}.html", mime="text/html; charset=utf-8",
                           key=f"{key}_html", type="primary", on_click="ignore")
        st.download_button(ui.tr("ack.download"), data=receipt_text(lang, complaint, choices, centre),
                           file_name=f"{complaint.tracking_no}.txt", mime="text/plain; charset=utf-8",
                           key=f"{key}_text", on_click="ignore")
