"""The only lib module that imports streamlit: the shared connection, the frame and page guards, and widgets every page uses."""
from __future__ import annotations

import atexit
import gc
import json
import logging

import streamlit as st

from lib.staff import access
from lib.sms import dispatcher
from lib.casework import escalation_job as escalation_job_module
from lib.ops import startup
from lib.core.config import Settings, load_settings
from lib.citizen.filing import FormChoices, load_form_choices
from lib.core.i18n import Language, t
from lib.ui import frame
from lib.ui.frame import (LANGUAGE_KEY, LANGUAGE_NAMES, NO_CHOICE, language, or_none,  # noqa: F401  (the pages' API)
                          remember_pages, session_pages, tr)
from lib.core.problems import Problem
from lib.core.roles import Role

FRAME_KEY = "_frame_ran"          # set by app.py; a page run without it was reached around the frame
PAGE_TITLE = "ई-सचिवालय रेवाड़ी / e-Sachivalaya Rewari"   # both scripts: the tab shows it before any choice


@atexit.register
def _release_at_exit() -> None:
    """Stop the SMS dispatcher and close DuckDB before the interpreter goes: a connection left to
    interpreter shutdown makes DuckDB's bindings print a "nanobind: leaked ..." dump on every stop."""
    st.cache_resource.clear()
    gc.collect()


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except Exception:               # no secrets.toml: keys are generated beside the database
        return {}


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    return load_settings(_secrets())


@st.cache_resource(show_spinner="Preparing the database…", on_release=startup.release_portal_database)
def connection():
    """One DuckDB connection per process; every unit of work takes its own cursor from it. The
    same one the health check (/api/health, lib/ops/web.py) uses, whichever opens it first."""
    return startup.portal_database(settings())


@st.cache_resource(show_spinner=False, on_release=lambda thread: thread.stop() if thread else None)
def sms_dispatcher():
    """The process's one background SMS dispatcher over the cached connection (None when off)."""
    try:
        return dispatcher.start_background_dispatcher(connection(), _secrets())
    except ValueError:   # a bad [sms] table must not break the citizen's form; the outbox page shows it
        logging.getLogger(__name__).exception("SMS dispatcher not started")
        return None


# ---- escalation (issue #15): the background round beside the SMS dispatcher ----
@st.cache_resource(show_spinner=False, on_release=lambda thread: thread.stop() if thread else None)
def escalation_job():
    """The process's one background escalation thread over the cached connection (None when off)."""
    try:
        return escalation_job_module.start_background_escalation(connection(), _secrets())
    except ValueError:   # a bad [escalation] table must not break the portal; cron can still escalate
        logging.getLogger(__name__).exception("background escalation not started")
        return None
# ---- end of escalation ----


@st.cache_resource(show_spinner=False)
def form_choices() -> FormChoices:
    return load_form_choices(connection())


def role() -> str:
    """The session's role, from the server-side user record (a citizen has none)."""
    user = current_user() if st.session_state.get(_signin.USER_KEY) else None
    return user.role if user else Role.PUBLIC


def start_frame() -> None:
    """Called by app.py first on every run (and by the guard for a public page reached without
    it): marks the session as framed (see `guard`) and settles its language."""
    st.session_state[FRAME_KEY] = True
    frame.remember_language()
    sms_dispatcher()                 # started once per process; sends what the outbox holds
    escalation_job()                 # started once per process; escalates complaints past their deadline


def _frame_a_public_page(page: str) -> bool:
    """The very first request to a freshly started server runs pages/<page>.py alone, without
    app.py (Streamlit 1.67 serves the pages/ folder until some session has run st.navigation).
    A citizen's page does here what app.py would, so the SMS link works after a restart; an
    officer's page is refused as before."""
    if not access.can_open(Role.PUBLIC, page):
        return False
    st.set_page_config(page_title=PAGE_TITLE, page_icon="🏛️", layout="centered")
    start_frame()
    restore_sign_in()                # the sign-in page needs this run's authenticator
    return True


def guard(page: str) -> None:
    """First line of every page: stop unless app.py ran in this session (or the page is public
    and the frame's work is done here) and the role may see the page; then draw the header."""
    if not st.session_state.get(FRAME_KEY) and not _frame_a_public_page(page):
        st.error(f"{t(Language.HINDI, 'guard.no_frame')} / {t(Language.ENGLISH, 'guard.no_frame')}")
        st.link_button(f"{t(Language.HINDI, 'guard.open_portal')} / {t(Language.ENGLISH, 'guard.open_portal')}", "/")
        st.stop()
    if not access.can_open(role(), page):
        st.error(tr("guard.not_allowed"))
        st.stop()
    _signin.delete_refused_cookie()
    if page != access.PageName.HOME:         # home only sends the visitor on
        frame.header(page, role())
    _signin.sign_out_button()


def show_problems(problems: list[Problem], field: str) -> None:
    """The problems of one field, right beside it, in the session's language."""
    for problem in problems:
        if problem.field == field:
            st.error(tr(problem.key, **problem.params), icon="⚠️")


def problem_list(problems: list[Problem], field_names: dict[str, str], key: str, first_widget: str,
                 nonce: int) -> None:
    """Every problem in one box, each named by its field (in the order given by `field_names`, the
    form's own), for right above a form's submit button: a citizen on a phone sees what is wrong
    where they tapped; the frame's style keeps the box in view while they scroll to fix things. Then
    the page scrolls to `first_widget` (a widget key) and puts the focus in it, once for each new
    `nonce` (a submit): the script runs again only when its text changes, not at every run."""
    order = list(field_names)
    ordered = sorted(problems, key=lambda p: order.index(p.field) if p.field in order else len(order))
    lines = [f"- **{field_names[p.field]}**: {tr(p.key, **p.params)}" if field_names.get(p.field)
             else f"- {tr(p.key, **p.params)}" for p in ordered]
    heading = tr("form.problems_here", count=len(problems))
    with st.container(key=key):
        st.error("\n".join([heading, "", *lines]), icon="⚠️")
    frame.page_script("problems", f"/* {int(nonce)} */" + PROBLEMS_JS % {
        "list": json.dumps(key), "label": json.dumps(heading), "field": json.dumps(first_widget)})


# Finds elements by the class Streamlit gives a keyed element (st-key-<key>), waiting up to 5 s for
# them to be drawn. The list may scroll inside (a long one is cut to a third of the screen), so it is
# a named region the keyboard can reach. `preventScroll`: the field is centred first, the focus must
# not move it again.
PROBLEMS_JS = """(() => {
  const drawn = (key, then, tries = 0) => {
    const el = document.querySelector(".st-key-" + key.replace(/[^a-zA-Z0-9_-]/g, "-"));
    if (el) then(el); else if (tries < 50) setTimeout(() => drawn(key, then, tries + 1), 100);
  };
  drawn(%(list)s, (el) => {
    el.tabIndex = 0;
    el.setAttribute("role", "region");
    el.setAttribute("aria-label", %(label)s);
  });
  drawn(%(field)s, (el) => {
    el.scrollIntoView({block: "center"});
    const target = el.querySelector("input:not([type=hidden]), textarea, button, [tabindex]:not([tabindex='-1'])");
    if (target) target.focus({preventScroll: true});
  });
})();"""


# Officers' sign-in lives in lib/ui/signin.py; pages and app.py keep calling it as ui.<name>.
from lib.ui.signin import (  # noqa: E402  (signin.py uses the connection and tr defined above)
    COOKIE_NAME, EXPIRES_KEY, ROLE_KEY, USER_KEY, authenticator, client_address, current_user, require_user,
    restore_sign_in, sign_in_form, sign_out,
)
from lib.ui import signin as _signin  # noqa: E402
