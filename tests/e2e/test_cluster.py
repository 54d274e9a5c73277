"""Two portal processes behind nginx on one PostgreSQL database (`make run-cluster`'s PortalCluster), in a
real browser: a citizen files on one process and the DC acts on the other, and the citizen sees it; then
one process is killed (SIGKILL) while eight citizens file: nothing acknowledged is lost or doubled, the
killed process's citizens are moved to the survivor and file again, and the survivor sends their SMS."""
from __future__ import annotations

import hashlib
import os
import re
import signal
import time
import urllib.request
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import expect

from lib.core.config import load_settings
from lib.citizen.uploads import UploadStore
from lib.ops.cluster import ROUTE_COOKIE, PortalCluster, nginx_binary
from lib.ops.startup import open_portal_database
from lib.staff import signin
from tests.conftest import jpeg_bytes, valid_aadhaar
from tests.e2e.conftest import free_ports, sign_in, wait_for_app
from tests.e2e.test_casework_flow import hi, take_action

pytestmark = pytest.mark.skipif(
    nginx_binary() is None, reason="nginx is not installed: `make nginx` (part of `make test`) installs Debian's nginx")

ACK = "आपकी शिकायत दर्ज हो गई है"
TRACKING = re.compile(r"RWR-\d{4}-\d{6,}")
STATE_TIMEOUT_S = 90
# Counts the page's WebSockets that opened: a second one is the page reconnecting by itself.
SOCKETS_JS = """
(() => {
  if (window.__sockets) return;
  const sockets = window.__sockets = {opened: 0};
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("open", () => { sockets.opened += 1; });
    }
  };
})();
"""
RECONNECTED_JS = """() => window.__sockets.opened >= 2 && Boolean(document.querySelector(
  "[data-testid='stApp'][data-test-connection-state='CONNECTED']"))"""


@pytest.fixture
def cluster(tmp_path, pg_cluster, pg_template, browser):
    """Two portals and nginx on a fresh PostgreSQL database with the demo accounts, each portal warmed
    up (its first request went through the frame); the SMS sender (the log gateway) looks at the outbox
    every half second."""
    url = pg_cluster.database(template=pg_template)
    env = {"ESACHIVALAYA_DB": url, "ESACHIVALAYA_DATA_DIR": str(tmp_path / "data"), "ESACHIVALAYA_DEMO": "0"}
    con = open_portal_database(load_settings({}, env=env))
    signin.create_demo_users(con)
    con.close()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[sms]\nadapter = "log"\ninterval_s = 0.5\n', encoding="utf-8")
    proxy_port, *portal_ports = free_ports(3)
    portals = PortalCluster(portals=2, port=proxy_port, portal_ports=portal_ports, db_url=url,
                            data_dir=tmp_path / "data", env={"ESACHIVALAYA_DEMO": "0"},
                            streamlit_args=["--secrets.files", str(secrets)])
    portals.start()
    try:
        for member in portals.members:
            page = browser.new_page()
            page.set_default_timeout(120_000)
            page.goto(member.url)
            wait_for_app(page)
            page.close()
    except BaseException:
        portals.stop()
        raise
    yield portals, env
    portals.stop()
    pg_cluster.drop(url)


# ---- which process serves whom: nginx's access log names the upstream of every request ----

def served_by(portals: PortalCluster, route: str, after: int = 0, closed_on: int | None = None) -> list[list[int]]:
    """For each logged request of the browser with this route cookie (from byte `after` of the log),
    the ports of the portals nginx tried, in order.

    nginx logs a WebSocket when it ends: `closed_on` leaves out the sockets to that (killed) portal that
    were open before the kill and are logged as they close, which may be just after `after` was read."""
    found = []
    for line in portals.access_log.read_bytes()[after:].decode().splitlines():
        if f" route={route} " not in line:
            continue
        ports = [int(port) for port in re.findall(r":(\d+)", line.split(" upstream=")[1])]
        if ports == [closed_on] and '"GET /_stcore/stream ' in line and '" 101 ' in line:
            continue
        found.append(ports)
    return found


def routes_to(portals: PortalCluster, port: int, count: int, taken: set[str]) -> list[str]:
    """`count` route cookie values that nginx's hash sends to the portal on `port` (asked, not guessed)."""
    found = []
    for n in range(500):
        route = f"citizen{n}"
        if route in taken:
            continue
        request = urllib.request.Request(f"{portals.url}/_stcore/health", headers={"Cookie": f"{ROUTE_COOKIE}={route}"})
        with urllib.request.urlopen(request, timeout=STATE_TIMEOUT_S) as answer:
            assert answer.status == 200
            answer.read()                       # the whole answer: nginx logs a request once it is finished
        # nginx writes the line after the answer is out, which on a busy machine can be seconds later
        # (CI once saw none within 10 s): wait for the line itself; the bound only ends a hung run.
        deadline = time.monotonic() + STATE_TIMEOUT_S
        while not served_by(portals, route) and time.monotonic() < deadline:
            time.sleep(0.05)
        served = served_by(portals, route)
        assert served, (f"nginx logged no request with route={route} in {STATE_TIMEOUT_S} s; the log's end:\n"
                        + portals.access_log.read_text()[-2000:])
        if served[-1] == [port]:
            found.append(route)
            taken.add(route)
            if len(found) == count:
                return found
    raise AssertionError(f"no route cookie for port {port}")


def open_as(browser, portals: PortalCluster, route: str, address: str):
    """A browser whose route cookie sends it to one process, coming from its own address (behind a
    front proxy on this machine: nginx appends the hop, the portal trusts 127.0.0.1 only)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="hi-IN",
                                  extra_http_headers={"X-Forwarded-For": address})
    context.add_cookies([{"name": ROUTE_COOKIE, "value": route, "url": portals.url}])
    context.add_init_script(SOCKETS_JS)
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


# ---- filing, one step at a time, so that several citizens file side by side ----

def pick(page, label: str, option: str) -> None:
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))
    box.get_by_role("combobox").click()
    page.keyboard.type(option)                 # long lists render only what is in view
    page.get_by_role("option", name=option, exact=True).click()


def filing(page, url: str, mobile: str, subject: str):
    """The public form filled in Hindi, one action per step; the caller waits for each step's run.
    The last step presses "send"."""
    page.goto(url)
    yield
    page.get_by_label("आपका पूरा नाम", exact=True).fill("कमला देवी")
    page.get_by_label("मोबाइल नंबर", exact=True).fill(mobile)
    page.get_by_label("आधार नंबर (12 अंक)", exact=True).fill(valid_aadhaar())
    page.get_by_label("आधार नंबर (12 अंक)", exact=True).press("Enter")
    yield
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="पहचान पत्र की फ़ोटो या PDF")
    uploader.locator("input[type=file]").set_input_files(
        {"name": "aadhaar.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()})
    expect(uploader.get_by_text("aadhaar.jpg")).to_be_visible()
    yield
    for label, option in (("तहसील", "रेवाड़ी"), ("गाँव या शहर", "रेवाड़ी (शहर)"), ("वार्ड नंबर", "12"),
                          ("समस्या का प्रकार", "स्ट्रीट लाइट")):
        pick(page, label, option)
        yield
    page.get_by_label("विषय (एक पंक्ति)", exact=True).fill(subject)
    page.get_by_label("समस्या का विवरण", exact=True).fill("वार्ड 12 में मुख्य सड़क की स्ट्रीट लाइटें दो हफ्ते से बंद हैं।")
    page.get_by_text("मैं सहमति देता/देती हूँ", exact=False).click()
    yield
    page.get_by_role("button", name="शिकायत भेजें").click()
    yield


def fill_side_by_side(pages_and_steps: list) -> None:
    """Every citizen takes a step, then each one's run is waited for; until only "send" is left."""
    steps = [steps for _, steps in pages_and_steps]
    for _ in range(8):                              # goto, identity, upload, four choices, consent
        for step in steps:
            next(step)
        for page, _ in pages_and_steps:
            wait_for_app(page)


def acknowledged(page) -> str:
    expect(page.get_by_text(ACK)).to_be_visible(timeout=STATE_TIMEOUT_S * 1000)
    return TRACKING.search(page.locator("code").first.inner_text()).group(0)


def file_one(page, url: str, mobile: str, subject: str) -> str:
    steps = filing(page, url, mobile, subject)
    fill_side_by_side([(page, steps)])
    next(steps)
    wait_for_app(page)
    return acknowledged(page)


# ---- what the database holds ----

def complaints(url: str) -> dict[str, dict]:
    """Every complaint by tracking number: its subject, events, SMS (status by id) and ID documents."""
    with psycopg.connect(url) as con:
        rows = con.execute("SELECT id, tracking_no, subject FROM complaints").fetchall()
        found = {}
        for complaint_id, tracking_no, subject in rows:
            events = con.execute("SELECT event FROM complaint_events WHERE complaint_id = %s",
                                 [complaint_id]).fetchall()
            sms = dict(con.execute("SELECT id, status FROM sms_outbox WHERE complaint_id = %s",
                                   [complaint_id]).fetchall())
            documents = con.execute("SELECT stored_name, sha256 FROM documents WHERE complaint_id = %s"
                                    " AND kind = 'id_proof'", [complaint_id]).fetchall()
            found[tracking_no] = {"subject": subject, "events": events, "sms": sms, "documents": documents}
    return found


def wait_until_sent(url: str, tracking_nos: list[str]) -> dict[str, dict]:
    deadline = time.monotonic() + STATE_TIMEOUT_S
    while True:
        found = complaints(url)
        statuses = [status for no in tracking_nos for status in found[no]["sms"].values()]
        if statuses and all(status == "sent" for status in statuses):
            return found
        assert time.monotonic() < deadline, f"SMS not sent by the survivor: {statuses}"
        time.sleep(0.2)


def test_one_process_files_the_other_acts_and_a_killed_process_loses_nothing(cluster, browser):
    portals, env = cluster
    first, second = portals.members
    taken: set[str] = set()

    # 1. A citizen files through the proxy on the first process; the DC accepts it on the second.
    citizen_route, = routes_to(portals, first.port, 1, taken)
    dc_route, = routes_to(portals, second.port, 1, taken)
    citizen = open_as(browser, portals, citizen_route, "198.51.100.1")
    tracking_no = file_one(citizen, portals.url, "9876500001", "स्ट्रीट लाइट खराब")

    dc = open_as(browser, portals, dc_route, "198.51.100.2")
    sign_in(dc, portals.url, "dc_rewari")
    dc.goto(f"{portals.url}/complaint_detail?no={tracking_no}")
    wait_for_app(dc)
    take_action(dc, "start_scrutiny")
    take_action(dc, "accept")

    citizen.goto(f"{portals.url}/track_complaint")
    wait_for_app(citizen)
    citizen.get_by_label(hi("track.tracking_no"), exact=True).fill(tracking_no)
    citizen.get_by_label(hi("track.mobile"), exact=True).fill("98765 00001")
    citizen.get_by_role("button", name=hi("track.submit")).click()
    wait_for_app(citizen)
    expect(citizen.get_by_role("heading", name=hi("summary.status"), exact=False).first).to_have_text(
        f"{hi('summary.status')}: {hi('status.accepted')}")
    # Sticky: every request of each browser went to its own process, and only there.
    assert {tuple(ports) for ports in served_by(portals, citizen_route)} == {(first.port,)}
    assert {tuple(ports) for ports in served_by(portals, dc_route)} == {(second.port,)}
    citizen.context.close()
    dc.context.close()

    # 2. Eight citizens, four on each process, fill the form side by side and press "send" together;
    #    the second process is killed at once.
    routes = routes_to(portals, first.port, 4, taken) + routes_to(portals, second.port, 4, taken)
    pages = [open_as(browser, portals, route, f"198.51.100.{10 + n}") for n, route in enumerate(routes)]
    steps = [filing(page, portals.url, f"98765100{n:02d}", f"क्लस्टर शिकायत {n}") for n, page in enumerate(pages)]
    fill_side_by_side(list(zip(pages, steps)))
    for step in steps:
        next(step)                                  # "send", on all eight, nobody waiting
    os.kill(second.process.pid, signal.SIGKILL)
    second.process.wait()
    killed_at = portals.access_log.stat().st_size
    acks = {}
    for n, page in enumerate(pages[:4]):            # the survivor's citizens get their receipts
        acks[acknowledged(page)] = f"क्लस्टर शिकायत {n}"
    for n, page in enumerate(pages[4:], start=4):
        if page.get_by_text(ACK).count():           # answered before the kill: the citizen saw it
            acks[TRACKING.search(page.locator("code").first.inner_text()).group(0)] = f"क्लस्टर शिकायत {n}"

    # 3. The killed process's pages reconnect by themselves, through the proxy, to the survivor; and
    #    their citizens file again there.
    for page in pages[4:]:
        page.wait_for_function(RECONNECTED_JS, timeout=STATE_TIMEOUT_S * 1000)
    again = [filing(page, portals.url, f"98765200{n:02d}", f"फिर से शिकायत {n}") for n, page in enumerate(pages[4:])]
    fill_side_by_side(list(zip(pages[4:], again)))
    for step in again:
        next(step)
    after_kill = []
    for n, page in enumerate(pages[4:]):
        wait_for_app(page)
        after_kill.append(acknowledged(page))
        acks[after_kill[-1]] = f"फिर से शिकायत {n}"
    for route in routes[4:]:
        after_the_kill = served_by(portals, route, after=killed_at, closed_on=second.port)
        assert after_the_kill, "no request of the killed process's citizen after the kill"
        assert all(ports[-1] == first.port for ports in after_the_kill), after_the_kill

    # 4. The SMS sender carries on in the survivor: the SMS queued after the kill are sent.
    found = wait_until_sent(env["ESACHIVALAYA_DB"], after_kill)
    for page in pages:
        page.context.close()

    # Every acknowledged complaint is there with its event, SMS and ID document (in the shared folder).
    settings = load_settings({}, env=env)
    store = UploadStore(settings.uploads_dir, settings.uploads_fernet_key)
    for number, subject in acks.items():
        assert found[number]["subject"] == subject
    for number, complaint in found.items():         # and no complaint, acknowledged or not, is half there
        assert complaint["events"] and complaint["sms"], number
        (stored_name, sha256), = complaint["documents"]
        assert hashlib.sha256(store.load(stored_name)).hexdigest() == sha256
    # None doubled: one complaint per submission (the killed ones at most once), none besides them.
    subjects = Counter(complaint["subject"] for complaint in found.values())
    assert max(subjects.values()) == 1, subjects
    # At least the survivor's four and the four filed again; at most one per submission made.
    assert len(acks) >= 8 and len(found) <= 1 + 8 + 4
    # Never sent twice: each SMS the log gateway sent is in one process's log once.
    sent = Counter(re.findall(r"SMS (\d+) to ", first.log.read_text() + second.log.read_text()))
    assert sent and max(sent.values()) == 1, sent
