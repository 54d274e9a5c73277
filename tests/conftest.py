"""Shared fixtures: a portal database in a temporary folder, and valid inputs to file complaints with.

The database is DuckDB's file by default. A test module marked `pytestmark = pytest.mark.engines`
(or one test so marked) runs twice, on DuckDB and on PostgreSQL: every fixture built on
`portal_env` then points at a fresh database on a throwaway PostgreSQL server (tests/pg_cluster.py)
started once per session, or on ESACHIVALAYA_TEST_PG's server when that is set."""
from __future__ import annotations

import io
import random
import shutil
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image
from stdnum import verhoeff

from lib.core.config import load_settings
from lib.citizen.filing import ComplaintForm, UploadedFile, load_form_choices
from lib.ops.startup import open_portal_database

PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def show_error_details():
    """The portal hides error details from users (.streamlit/config.toml); tests want to see them."""
    from streamlit import config
    config.set_option("client.showErrorDetails", "full")
    yield
# A town with wards and a village, from the real reference data.
REWARI_TOWN = 248569          # Rewari (M Cl), 32 wards, tehsil Rewari (414)
REWARI_TEHSIL = 414


def valid_aadhaar(rng: random.Random | None = None) -> str:
    """A 12-digit number with a correct Verhoeff check digit (not a real person's Aadhaar)."""
    rng = rng or random.Random()
    body = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(10))
    return body + verhoeff.calc_check_digit(body)


def jpeg_bytes(width: int = 800, height: int = 600, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


ENGINES = ("duckdb", "postgres")


def pytest_generate_tests(metafunc):
    marked = metafunc.definition.get_closest_marker
    if "engine" in metafunc.fixturenames and marked("engines") and not marked("one_engine"):
        metafunc.parametrize("engine", ENGINES, indirect=True)


@pytest.fixture
def engine(request) -> str:
    """The database engine under test: 'duckdb' unless the test is marked `engines`."""
    return getattr(request, "param", "duckdb")


@pytest.fixture(scope="session")
def pg_cluster():
    """One PostgreSQL server for the whole run (skipped, with the reason, where none can start)."""
    from tests.pg_cluster import Cluster

    try:
        cluster = Cluster.start()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_template(pg_cluster, tmp_path_factory) -> str:
    """A database the portal has been opened on once (schema, reference data, working calendar, no
    demo data): each test's database is a copy of it, which takes a second instead of three."""
    url = pg_cluster.database()
    folder = tmp_path_factory.mktemp("pg-template")
    env = {"ESACHIVALAYA_DB": url, "ESACHIVALAYA_DATA_DIR": str(folder), "ESACHIVALAYA_DEMO": "0"}
    open_portal_database(load_settings({}, env=env)).close()
    return url


@pytest.fixture
def portal_env(tmp_path, monkeypatch, engine, request):
    """Point the portal at an empty database (a file in tmp_path, or a new PostgreSQL database with
    its keys and uploads in tmp_path), without demo data."""
    import streamlit as st

    if engine == "postgres":
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.database(template=request.getfixturevalue("pg_template"))
        request.addfinalizer(lambda: cluster.drop(url))
        monkeypatch.setenv("ESACHIVALAYA_DB", url)
        monkeypatch.setenv("ESACHIVALAYA_DATA_DIR", str(tmp_path))
    else:
        monkeypatch.setenv("ESACHIVALAYA_DB", str(tmp_path / "portal.duckdb"))
    monkeypatch.setenv("ESACHIVALAYA_DEMO", "0")
    # Tests that look at queued SMS must not race the background dispatcher.
    monkeypatch.setenv("ESACHIVALAYA_SMS_DISPATCHER", "0")
    # Nor the background escalation (issue #15): its tests start it themselves.
    monkeypatch.setenv("ESACHIVALAYA_ESCALATION", "0")
    # The app's cached connection (lib/ui) belongs to one database: none from an earlier test may
    # serve this one, and none may outlive it (its PostgreSQL database is dropped after it).
    st.cache_resource.clear()
    request.addfinalizer(st.cache_resource.clear)
    return tmp_path


class SeededPortals:
    """A portal database filled once per engine by `fill(con)` (demo users, seeded complaints, ...)
    and copied for each test that asks: the files on DuckDB, `CREATE DATABASE ... TEMPLATE` on
    PostgreSQL, plus the keys beside it. Seeding takes seconds, a copy a fraction of one."""

    def __init__(self, folders: pytest.TempPathFactory, fill):
        self._folders, self._fill = folders, fill
        self._made: dict[str, tuple[Path, str | None]] = {}
        self._cluster = None

    def copy_into(self, request) -> Path:
        """Point this test's portal (`portal_env`) at a copy of the filled database; its folder."""
        engine, portal_env = request.getfixturevalue("engine"), request.getfixturevalue("portal_env")
        if engine not in self._made:
            self._made[engine] = self._make(engine, request)
        folder, url = self._made[engine]
        shutil.copytree(folder, portal_env, dirs_exist_ok=True)
        if url:
            cluster = request.getfixturevalue("pg_cluster")
            copy = cluster.database(template=url)
            request.addfinalizer(lambda: cluster.drop(copy))
            request.getfixturevalue("monkeypatch").setenv("ESACHIVALAYA_DB", copy)
        return portal_env

    def _make(self, engine: str, request) -> tuple[Path, str | None]:
        folder = self._folders.mktemp(f"seeded-{engine}")
        if engine == "postgres":
            self._cluster = request.getfixturevalue("pg_cluster")
            url = self._cluster.database(template=request.getfixturevalue("pg_template"))
            env = {"ESACHIVALAYA_DB": url, "ESACHIVALAYA_DATA_DIR": str(folder)}
        else:
            url, env = None, {"ESACHIVALAYA_DB": str(folder / "portal.duckdb")}
        con = open_portal_database(load_settings({}, env={**env, "ESACHIVALAYA_DEMO": "0"}))
        try:
            self._fill(con)
        finally:
            con.close()
        return folder, url

    def drop(self) -> None:
        """Drop the filled PostgreSQL database (at the end of the module that made it)."""
        url = self._made.get("postgres", (None, None))[1]
        if url and self._cluster is not None:
            self._cluster.drop(url)


@pytest.fixture
def settings(portal_env):
    return load_settings({})


@pytest.fixture
def con(settings):
    connection = open_portal_database(settings)
    yield connection
    connection.close()


@pytest.fixture
def choices(con):
    return load_form_choices(con)


def first_hearing_day(days_on: int = 5) -> date:
    """The first day of hearings at least `days_on` days after today in India: the form's default
    preferred date. A bare "five days on" fell on a Sunday on some days (and the machine's UTC date is a
    day behind India's from 18:30 to midnight UTC), and booking then went to another day than the test
    expected."""
    from lib.casework.deadlines import today_in_ist
    from lib.hearings import rules, slots

    day = today_in_ist() + timedelta(days=days_on)
    while not slots.is_hearing_day(rules.DEFAULT_RULES, day):
        day += timedelta(days=1)
    return day


def make_form(**overrides) -> ComplaintForm:
    """A complete, valid complaint from Rewari town, ward 7; override any field."""
    fields = dict(
        language="hi",
        name="सुनीता देवी",
        mobile="98765 43210",
        id_type="aadhaar",
        id_number=valid_aadhaar(random.Random(7)),
        id_document=UploadedFile("aadhaar.jpg", jpeg_bytes()),
        tehsil_lgd=REWARI_TEHSIL,
        place_lgd=REWARI_TOWN,
        ward=7,
        category_code="WATER",
        department_code="PHED",
        subject="पानी की सप्लाई बंद",
        description="हमारी गली में पिछले दस दिनों से पीने के पानी की सप्लाई बंद है।",
        consent=True,
        submission_token=uuid.uuid4().hex,
        preferred_dates=(first_hearing_day(),),
    )
    fields.update(overrides)
    return ComplaintForm(**fields)


def add_demo_accounts(con, *extra) -> None:
    """The demo accounts (and `extra` users) straight into the users table, with a hash no password
    matches: for data-layer tests that need the people, not their sign-in (no bcrypt cost)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from lib.db.connect import transaction
    from lib.db.staff import users as users_db
    from lib.staff import signin

    with transaction(con) as cur:
        for user in (*signin.DEMO_USERS, *extra):
            users_db.add_user(cur, user, "not-a-bcrypt-hash", datetime.now(ZoneInfo("Asia/Kolkata")),
                              signin.DEMO_CENTRES.get(user.username))


# ---- The app under AppTest, as a citizen or a signed-in demo user ----

@pytest.fixture
def demo_users(portal_env):
    """The demo accounts in an otherwise empty database; app caches cleared around the test."""
    import streamlit as st

    from lib.staff import signin

    con = open_portal_database(load_settings({}))
    signin.create_demo_users(con)
    con.close()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def open_portal_as(username: str | None = None, page: str | None = None):
    """A new session through app.py, signed in as `username` (as a cookie restore would), and
    optionally switched to `page` ("pages/x.py"). AppTest reruns only the page after the first
    run, so another user means another session."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=60)
    at.secrets["keys"] = {}
    if username:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
    at.run()
    assert not at.exception
    if page:
        at.switch_page(page).run()
        assert not at.exception
    return at


def run_page_alone_as(page: str, username: str | None):
    """Run pages/<page>.py by itself in a framed session of the user's role, as if navigation had
    let it through: what the page's own guard does (defence in depth)."""
    from streamlit.testing.v1 import AppTest

    from lib.staff import signin

    user = next((u for u in signin.DEMO_USERS if u.username == username), None)
    at = AppTest.from_file(str(PROJECT_DIR / "pages" / f"{page}.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.session_state["_frame_ran"] = True
    if user:
        at.session_state["role"] = user.role
        at.session_state["user"] = user
    at.run()
    assert not at.exception
    return at
