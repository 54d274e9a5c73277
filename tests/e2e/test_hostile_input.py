"""Hostile input in a real Chromium: script, markup and SQL typed by citizens stay inert text on the DC's
queue and detail pages, the citizen's track page and the acknowledgement; a lying file is refused."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lib.casework import actions, detail
from lib.staff import signin
from lib.core.config import load_settings
from lib.citizen.filing import file_complaint, load_form_choices
from lib.ui import PROBLEMS_JS
from lib.core.i18n import t
from lib.ops.startup import open_portal_database
from tests.conftest import ENGINES, jpeg_bytes, make_form, valid_aadhaar
from tests.e2e.conftest import PortalServer, sign_in, wait_for_app
from tests.e2e.test_citizen import pick

pytestmark = pytest.mark.engines   # the same browser checks on DuckDB and on PostgreSQL

MOBILE = "9812345678"
BEACON = "127.0.0.1:9"           # nothing listens there; a request to it means markup was rendered

# Each script payload would leave a mark (window.__xss or a dialog) if it ever ran.
XSS = {
    "name": '<img src=x onerror="window.__xss=1">',
    "subject": "<script>window.__xss=2</script>",
    "locality": '"><svg onload="window.__xss=3;alert(3)">',
    "email": '"><svg/onload=alert(4)>@evil.in',
    "description": "\n".join([
        "<script>alert(1)</script>",
        '<img src=x onerror="window.__xss=5">',
        '<iframe src="javascript:alert(6)"></iframe>',
        "[click](javascript:window.__xss=7)",
        f"![x](http://{BEACON}/beacon.png)",
        f'<img src="http://{BEACON}/beacon2.png">',
        "**bold** _it_",
        "# heading",
        "{{7*7}} ${7*7}",
    ]),
}
SQL = {
    "name": "Robert'); DELETE FROM users;--",
    "subject": "'; DROP TABLE complaints; --",
    "locality": "' OR '1'='1",
    "description": "' OR '1'='1 --\n1; UPDATE complaints SET status='closed'; --\nराम \u202egpj.exe\u202c कुमार",
}
REMARK = '<img src=x onerror="window.__xss=8"> **bold**'

# Run in every frame after each page load: anything a payload would have put in the page.
INJECTED_JS = """() => ({
  xss: typeof window.__xss === "undefined" ? null : String(window.__xss),
  injected: [...document.querySelectorAll(
      'img[src="x"], img[src*="beacon"], svg[onload], [onerror], [onload], iframe[src^="javascript:"], a[href^="javascript:"]')]
      .map(e => e.outerHTML.slice(0, 200)),
  inline_scripts: [...document.querySelectorAll("script:not([src])")].map(s => s.textContent.trim()),
  markup: [...document.querySelectorAll("strong, em, b, h1, h2, h3, h4, h5, h6")]
      .filter(e => /^(bold|it|heading|b)$/.test(e.textContent.trim())).map(e => e.outerHTML),
})"""


# The problems script with any nonce and any JSON strings (widget keys, the list's heading) filled in.
OUR_PROBLEMS_SCRIPT = r"/\* \d+ \*/" + re.sub(r"%\\\(\w+\\\)s", lambda _: r'"(?:[^"\\]|\\.)*"',
                                                 re.escape(PROBLEMS_JS.strip()))


def hi(key: str, **params) -> str:
    return t("hi", key, **params)


class Watch:
    """Records what a running payload would do: alerts and confirms, and requests to the beacon."""

    def __init__(self, page):
        self.page, self.dialogs, self.beacons = page, [], []
        page.on("dialog", self._dialog)
        page.on("request", lambda r: self.beacons.append(r.url) if BEACON in r.url or "beacon" in r.url else None)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_inert(self, baseline_scripts: list[str]) -> None:
        for frame in self.page.frames:
            found = frame.evaluate(INJECTED_JS)
            assert found["xss"] is None, (frame.url, found)
            assert found["injected"] == [] and found["markup"] == [], (frame.url, found)
            if frame == self.page.main_frame:
                # Streamlit's own index.html has one inline script, and the frame adds one of its own
                # (lib/ui/frame.py: <html lang>), the form one more after a Submit with problems (the
                # list's and the jump's, lib/ui PROBLEMS_JS); a payload would add more.
                def ours(script: str) -> bool:
                    return script.startswith(('document.documentElement.lang = "hi";',
                                              'document.documentElement.lang = "en";')) or bool(
                        re.fullmatch(OUR_PROBLEMS_SCRIPT, script))
                scripts = [s for s in found["inline_scripts"] if not ours(s)]
                assert scripts == [s for s in baseline_scripts if not ours(s)], found["inline_scripts"]
                assert len(found["inline_scripts"]) - len(scripts) <= 2, found["inline_scripts"]
        assert self.dialogs == [] and self.beacons == []


@pytest.fixture(scope="module", params=ENGINES)
def hostile_portal(request, tmp_path_factory, browser):
    """A database (DuckDB's file, then PostgreSQL) with the demo accounts, one complaint of script
    payloads (with a DC remark of the same kind), one of SQL payloads and one plain one; then a portal on it."""
    folder = tmp_path_factory.mktemp(f"hostile_e2e_{request.param}")
    url = cluster = None
    if request.param == "postgres":
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.database(template=request.getfixturevalue("pg_template"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ESACHIVALAYA_DB", url or str(folder / "portal.duckdb"))
        mp.setenv("ESACHIVALAYA_DATA_DIR", str(folder))        # keys and uploads, on PostgreSQL
        mp.setenv("ESACHIVALAYA_DEMO", "0")
        settings = load_settings({})
        con = open_portal_database(settings)
        signin.create_demo_users(con)
        choices = load_form_choices(con)
        filed = {}
        for label, fields in (("xss", XSS), ("sql", SQL), ("plain", {})):
            filed[label] = file_complaint(con, settings, make_form(mobile=MOBILE, **fields), choices,
                                          track_url="http://portal/track_complaint").tracking_no
        dc = signin.active_user(con, "dc_rewari")
        case = detail.find_case(con, dc, filed["xss"])
        actions.start_scrutiny(con, dc, case.id, case.version, REMARK)
        con.close()
    server = PortalServer(folder, db_url=url)
    try:
        warm = browser.new_page()          # the first request to a fresh server goes through the frame
        warm.goto(server.url)
        wait_for_app(warm)
        baseline = warm.evaluate(INJECTED_JS)["inline_scripts"]
        warm.close()
        yield server, filed, baseline
    finally:
        server.stop()
        if url:
            cluster.drop(url)


def assert_shown(page, text: str) -> None:
    """st.text on the page (the complaint's description on the detail page) shows exactly `text`:
    waited for (Playwright folds whitespace), then compared character for character."""
    shown = page.get_by_test_id("stText").filter(has_text=text.splitlines()[0]).first
    expect(shown).to_have_text(text)
    assert shown.text_content() == text


def test_dc_sees_hostile_complaints_as_plain_text_in_the_queue_and_the_detail(hostile_portal, browser):
    server, filed, baseline = hostile_portal
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    watch = Watch(page)
    sign_in(page, server.url, "dc_rewari")

    page.goto(server.url)              # the DC's first page is the queue
    wait_for_app(page)
    expect(page.get_by_role("heading", name=hi("queue.title"))).to_be_visible()
    total = page.get_by_test_id("stMetric").filter(has_text=hi("queue.total")).get_by_test_id("stMetricValue")
    expect(total).to_have_text("3")
    watch.assert_inert(baseline)
    # SQL typed into the search box is searched for as text: one complaint holds it, none is lost.
    search = page.get_by_label(hi("queue.filter.text"), exact=True)
    search.fill("' OR '1'='1")
    search.press("Enter")
    wait_for_app(page)
    expect(total).to_have_text("1")
    watch.assert_inert(baseline)

    for label, fields in (("xss", XSS), ("sql", SQL)):
        page.goto(f"{server.url}/complaint_detail?no={filed[label]}")
        wait_for_app(page)
        expect(page.get_by_role("heading", name=re.compile(filed[label]))).to_be_visible()
        assert_shown(page, fields["description"])
        watch.assert_inert(baseline)
    context.close()


def test_citizen_tracks_a_hostile_complaint_and_nothing_runs(hostile_portal, browser):
    server, filed, baseline = hostile_portal
    page = browser.new_page()
    page.set_default_timeout(30_000)
    watch = Watch(page)
    page.goto(f"{server.url}/track_complaint")
    wait_for_app(page)
    # SQL in place of the tracking number finds nothing, with the same message as any wrong number.
    page.get_by_label(hi("track.tracking_no"), exact=True).fill("' OR '1'='1")
    page.get_by_label(hi("track.mobile"), exact=True).fill(MOBILE)
    page.get_by_role("button", name=hi("track.submit")).click()
    wait_for_app(page)
    expect(page.get_by_test_id("stAlertContentError")).to_have_text(hi("track.not_found"))
    page.get_by_label(hi("track.tracking_no"), exact=True).fill(filed["xss"])
    page.get_by_label(hi("track.mobile"), exact=True).fill(MOBILE)
    page.get_by_role("button", name=hi("track.submit")).click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=f"{hi('summary.status')}: {hi('status.under_scrutiny')}")).to_be_visible()
    # Number and mobile show the status only; the details wait for the SMS code or the signed link.
    expect(page.get_by_role("heading", name=hi("track.details_title"))).to_be_visible()
    watch.assert_inert(baseline)
    page.close()


def beside(locator):
    """The element Streamlit draws right after this one (where the form puts a field's problems)."""
    return locator.locator("xpath=ancestor::div[@data-testid='stElementContainer'][1]"
                           "/following-sibling::div[@data-testid='stElementContainer'][1]")


def test_citizen_types_hostile_text_uploads_a_lying_file_then_files(hostile_portal, phone, browser):
    server, _, baseline = hostile_portal
    watch = Watch(phone)
    phone.goto(server.url)
    wait_for_app(phone)
    description = XSS["description"].replace("__xss=5", "__xss=9")

    phone.get_by_label(hi("form.name"), exact=True).fill(XSS["name"])
    phone.get_by_label(hi("form.mobile"), exact=True).fill("9876543210")
    phone.get_by_label(hi("form.id_number.aadhaar"), exact=True).fill(valid_aadhaar())
    phone.get_by_label(hi("form.id_number.aadhaar"), exact=True).press("Enter")
    wait_for_app(phone)
    uploader = phone.get_by_test_id("stFileUploader").filter(has_text=hi("form.id_document"))
    # An HTML page with a script, named and sent as a JPEG photo.
    uploader.locator("input[type=file]").set_input_files(
        {"name": "aadhaar.jpg", "mimeType": "image/jpeg",
         "buffer": b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"})
    expect(uploader.get_by_text("aadhaar.jpg")).to_be_visible(timeout=15_000)
    wait_for_app(phone)
    pick(phone, hi("form.tehsil"), "रेवाड़ी")
    pick(phone, hi("form.place"), "रेवाड़ी (शहर)")
    pick(phone, hi("form.ward"), "12")
    pick(phone, hi("form.category"), "स्ट्रीट लाइट")
    phone.get_by_label(hi("form.subject"), exact=True).fill(SQL["subject"])
    phone.get_by_label(hi("form.description"), exact=True).fill(description)
    phone.get_by_text(hi("form.optional"), exact=True).click()
    phone.get_by_label(hi("form.locality"), exact=True).fill(XSS["locality"])
    phone.get_by_label(hi("form.email"), exact=True).fill(XSS["email"])
    phone.get_by_text(hi("form.consent")[:20], exact=False).click()
    wait_for_app(phone)
    phone.get_by_role("button", name=hi("form.submit")).click()
    wait_for_app(phone)

    # Refused, said plainly right under the upload; the typed text is still there and still inert.
    expect(phone.get_by_test_id("stAlertContentError").first).to_have_text(hi("form.fix_problems", count=1))
    expect(beside(uploader).get_by_test_id("stAlertContentError").locator("p")).to_have_text(hi("error.file_type"))
    expect(phone.get_by_label(hi("form.name"), exact=True)).to_have_value(XSS["name"])
    watch.assert_inert(baseline)

    uploader.locator("input[type=file]").set_input_files(
        {"name": "aadhaar.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()})
    expect(uploader).to_contain_text(re.compile(r"\d+(\.\d+)?KB"), timeout=15_000)    # the real photo, not the 80 B page
    wait_for_app(phone)
    phone.get_by_role("button", name=hi("form.submit")).click()
    wait_for_app(phone)
    expect(phone.get_by_text(hi("ack.title"))).to_be_visible()
    expect(phone.locator("code").first).to_contain_text(re.compile(r"RWR-\d{4}-\d{6,}"))
    tracking_no = re.search(r"RWR-\d{4}-\d{6,}", phone.locator("code").first.inner_text()).group(0)
    watch.assert_inert(baseline)

    # What the citizen typed reached the DC's office exactly as typed, as text.
    dc = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    dc.set_default_timeout(30_000)
    dc_watch = Watch(dc)
    sign_in(dc, server.url, "dc_rewari")
    dc.goto(f"{server.url}/complaint_detail?no={tracking_no}")
    wait_for_app(dc)
    assert_shown(dc, description)
    dc_watch.assert_inert(baseline)
    dc.context.close()
