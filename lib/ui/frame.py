"""What every page shares on screen: the language (kept in the session and the URL), the header with
the portal's name and the language switch, the citizens' links, and the style (font, colours, phone
layout)."""
from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError
from streamlit.runtime.state.session_state_proxy import get_session_state

from lib.core.i18n import DEFAULT_LANGUAGE, Language, t
from lib.core.roles import Role
from lib.ops import fonts
from lib.staff import access

LANGUAGE_KEY = "language"          # the session's language: a plain key that no widget owns
SWITCH_KEY = "language_switch"     # the radio's own key; its state may be dropped, LANGUAGE_KEY is not
QUERY_KEY = "lang"                 # ?lang=hi|en: the language survives a reload and a shared link
LANGUAGE_NAMES = {Language.HINDI: "हिन्दी", Language.ENGLISH: "English"}   # each in its own script
PAGES_DIR = Path(__file__).resolve().parents[2] / "pages"
FONT_FAMILY = "Portal Devanagari"
# The value of a "none" / "not sure" / "everyone" choice in a picker. Not None: Streamlit sends a
# None value to the browser as "nothing chosen", so after a language switch such a picker would show
# no value (or its placeholder) instead of the new language's label of the choice. Read with `or_none`.
NO_CHOICE = "__none__"
# The citizens' way round the portal, always visible (no menu to find on a phone).
PUBLIC_LINKS = (access.PageName.FILE_COMPLAINT, access.PageName.TRACK_COMPLAINT, access.PageName.SIGN_IN,
                access.PageName.HELP, access.PageName.CONTACT, access.PageName.ACCESSIBILITY)


def language() -> str:
    value = st.session_state.get(LANGUAGE_KEY)
    return value if value in tuple(Language) else DEFAULT_LANGUAGE


def tr(key: str, **params) -> str:
    """Text in the session's language."""
    return t(language(), key, **params)


def or_none(value):
    """A picker's value with its NO_CHOICE read as None (what the rest of the portal means by it)."""
    return None if value == NO_CHOICE else value


def remember_language() -> None:
    """?lang= first (a reload, a bookmark, a shared link), else the session's, else Hindi; then
    write it back to the URL, which a page change empties."""
    asked = st.query_params.get(QUERY_KEY)
    if asked in tuple(Language):
        st.session_state[LANGUAGE_KEY] = asked
    elif st.session_state.get(LANGUAGE_KEY) not in tuple(Language):
        st.session_state[LANGUAGE_KEY] = DEFAULT_LANGUAGE
    if st.query_params.get(QUERY_KEY) != language():
        st.query_params[QUERY_KEY] = language()


def _relabel_choices() -> None:
    """After a switch, send every choice widget its value again.

    A selectbox, radio or multiselect travels to the browser as its *label*: the browser keeps the
    old language's label, finds it among no new option, shows "Choose an option" and sends the old
    label back on the next change, which the page then reads as an unknown value (the DC's queue
    said "cannot be sorted this way"). Setting the same value through the Session State API makes
    Streamlit send it anew, as the new language's label. Only widgets with options: a button's or
    an uploader's value may not be set this way.
    """
    state = get_session_state()._state
    for key in list(st.session_state.keys()):
        widget_id = state.get_widget_id_from_key(key)
        metadata = state.get_widget_metadata(widget_id) if widget_id else None
        if metadata is None or metadata.formatted_options is None or "trigger" in (metadata.value_type or ""):
            continue
        try:
            st.session_state[key] = st.session_state[key]
        except KeyError:          # no value kept for a widget of another page
            continue


def _on_switch() -> None:
    chosen = st.session_state.get(SWITCH_KEY)
    if chosen in tuple(Language):
        st.session_state[LANGUAGE_KEY] = chosen
        st.query_params[QUERY_KEY] = chosen
        _relabel_choices()


def language_switch() -> None:
    """Hindi / English. Drawn by each page (not app.py): on Streamlit 1.67 a widget of the
    entrypoint loses the citizen's change. The stored language is the truth: the radio starts from
    it (`index`: a page change gives the browser a fresh radio showing its default), and a stale
    value of its own is dropped rather than overwritten (overwriting and `index` together warn)."""
    options = list(Language)
    if st.session_state.get(SWITCH_KEY, language()) != language():
        del st.session_state[SWITCH_KEY]
    st.radio(t(language(), "lang.label"), options=options, index=options.index(language()), key=SWITCH_KEY,
             on_change=_on_switch, format_func=LANGUAGE_NAMES.get, horizontal=True, label_visibility="collapsed")


PAGES_KEY = "_frame_pages"       # this run's st.Page objects by url path, put there by app.py
SESSION_PAGES_KEY = "_frame_session_pages"   # ((role, language), the st.Page objects) of this session


def remember_pages(pages: list) -> None:
    """app.py's st.Page objects of this run: the header links to them directly. A link by file path
    makes Streamlit resolve the path on disk for each link, six per citizen's view (~11 % of a view's
    CPU in a saturated portal, py-spy, 30 November 2026)."""
    st.session_state[PAGES_KEY] = {page.url_path: page for page in pages}


def session_pages(role: str, make: Callable[[], list]) -> list:
    """This session's st.Page objects for its role and language: made by `make` once and kept for
    the session's later runs, and remembered for the header's links. Making one resolves its file on
    disk (a system call per folder of the path): ~10 % of a citizen's view in a saturated portal
    (py-spy, 1M complaints, 30 November 2026). Never shared between sessions: st.navigation marks
    on the object itself the page it is about to run."""
    key = (str(role), language())
    kept = st.session_state.get(SESSION_PAGES_KEY)
    if kept is None or kept[0] != key:
        kept = (key, make())
        st.session_state[SESSION_PAGES_KEY] = kept
    remember_pages(kept[1])
    return kept[1]


def header(page: str, role: str) -> None:
    """The portal's name and the language switch on every page; the citizens' links on theirs."""
    _style()
    with st.container(key="portal_header", horizontal=True, vertical_alignment="center",
                      horizontal_alignment="distribute"):
        st.markdown(f"**{tr('site.name')}**  \n{tr('site.office')}")
        language_switch()
    if role == Role.PUBLIC:
        registered = st.session_state.get(PAGES_KEY) or {}
        with st.container(key="portal_links", horizontal=True, gap="small"):
            for name in PUBLIC_LINKS:
                try:
                    st.page_link(registered.get(str(name)) or str(PAGES_DIR / f"{name}.py"), label=tr(f"nav.{name}"),
                                 width="content", query_params={QUERY_KEY: language()})
                except StreamlitPageNotFoundError:
                    # Only where no page is registered: a test running one page file as its own app.
                    break


@cache
def _font_face_css(base_path: str) -> str:
    """The portal's Devanagari font, by its content-hashed URL (lib/ops/web.py answers it, cached a year)."""
    base = base_path.strip("/")
    url = f"{'/' + base if base else ''}{fonts.MEDIA_URL}{fonts.devanagari_name()}"
    # unicode-range: Devanagari letters come from this font, Latin stays in Streamlit's own.
    return (f'@font-face{{font-family:"{FONT_FAMILY}";font-display:swap;'
            f'src:url("{url}") format("woff2");'
            'unicode-range:U+0900-097F,U+200B-200D,U+20B9,U+25CC;}')


# Scoped to the portal's own markup (the font itself is set in .streamlit/config.toml [theme]);
# colours meet WCAG AA (4.5:1) on white.
STYLE = """<style>
/* ~100 px of blank above the header: Streamlit's default top padding. Officers keep room for the
   top menu in Streamlit's fixed bar; a citizen's bar holds at most the sidebar button. */
[data-testid="stMainBlockContainer"] { padding-top: 4.25rem; padding-bottom: 3rem; }
body:has(.st-key-portal_links) [data-testid="stMainBlockContainer"] {
  padding-top: 3rem; }
body:has(.st-key-portal_links) [data-testid="stHeader"] { height: 2.75rem; min-height: 2.75rem; }
/* Elements that draw nothing must not push the header down: the sign-in cookie's component
   (kept running, only taken out of the flow) and the frame's own scripts. */
.st-key-init { position: absolute; width: 1px; height: 1px; overflow: hidden; }
[data-testid="stLayoutWrapper"]:has(> [class*="st-key-portal_scripts_"]) { display: none; }
/* A form's list of problems, right above its submit button, stays at the bottom of the screen while
   the citizen scrolls up to fix them (at most a third of a phone's screen, scrolling inside). */
[data-testid="stLayoutWrapper"]:has(> .st-key-form_problem_list) { position: sticky; bottom: 0; z-index: 3;
  background: #fff; }
.st-key-form_problem_list { max-height: 35vh; overflow-y: auto; }
/* Citizens find their way through the visible links; the pages/ folder's own menu is not theirs. */
[data-testid="stSidebarNav"] { display: none; }
.st-key-portal_header { border-bottom: 3px solid #0b5394; padding-bottom: .5rem; }
.st-key-portal_header p { margin: 0; line-height: 1.6; }
.st-key-portal_links { row-gap: 0; }
.st-key-portal_links a { padding-left: .25rem; padding-right: .25rem; }
/* Streamlit's captions are grey text at 60 % opacity, 2.85:1 on white; WCAG AA asks 4.5:1 (this is
   7.3:1). !important: Streamlit's own rules are as specific and may come later. */
[data-testid="stCaptionContainer"] { opacity: 1 !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p, [data-testid="stWidgetLabel"] small {
  color: #52555e !important; }
</style>"""


def _style() -> None:
    """The style block each run (small); the font's @font-face and <html lang> by a script into the
    page's <head>, which lasts the whole browser session (the font file itself comes from the cache)."""
    st.html(STYLE)
    font_face = _font_face_css(st.get_option("server.baseUrlPath") or "")
    page_script("frame", f"document.documentElement.lang = {json.dumps(language())};"
                "if (!document.getElementById('portal-font')) {const s = document.createElement('style');"
                f"s.id = 'portal-font'; s.textContent = {json.dumps(font_face)};"
                "document.head.appendChild(s);}")


def page_script(name: str, script: str) -> None:
    """A script run in the page itself (not in an iframe), drawing nothing. The browser runs it when
    it is first drawn and again only when its text changes."""
    with st.container(key=f"portal_scripts_{name}"):
        st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)
