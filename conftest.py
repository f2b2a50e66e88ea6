"""Shared fixtures: a small county tree with one person per role, and service markers."""

import datetime
import os
import shutil
import socket
from types import SimpleNamespace

import pytest
from django.db import connection


def _need(item, marker, available, what):
    if item.get_closest_marker(marker) and not available():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {what} is not available.", pytrace=False)
        pytest.skip(f"{what} is not available")


def _redis_up():
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis://"):
        return False
    host_port = url.split("://", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
    host, _, port = host_port.partition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port or 6379)), timeout=1):
            return True
    except OSError:
        return False


def _chromium():
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


_SUITE_LOG = {}


@pytest.fixture(scope="session", autouse=True)
def _log_of_the_suite(tmp_path_factory):
    """Every log line of the whole suite goes to one file through the filters that
    ``settings.LOGGING`` puts on its console handler (as the server's log would); at the end
    of the run the file is scanned for whole resident ID numbers (``pytest_sessionfinish``)."""
    import logging

    from django.conf import settings
    from django.utils.module_loading import import_string

    path = tmp_path_factory.mktemp("log") / "suite.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    config = settings.LOGGING
    for name in config["handlers"]["console"].get("filters", []):
        spec = dict(config["filters"][name])
        handler.addFilter(import_string(spec.pop("()"))(**spec))
    root = logging.getLogger()
    root.addHandler(handler)
    _SUITE_LOG["path"] = path
    yield path
    root.removeHandler(handler)
    handler.close()


def pytest_sessionfinish(session, exitstatus):
    path = _SUITE_LOG.get("path")
    if path is None or not path.exists():
        return
    from households.idnumbers import find_in_text

    found = find_in_text(path.read_text(encoding="utf-8"))
    if found:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"FAILED: {len(found)} whole ID number(s) in the suite's log ({path})", red=True
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_runtest_setup(item):
    _need(item, "postgres", lambda: connection.vendor == "postgresql", "PostgreSQL")
    _need(item, "redis", _redis_up, "Redis (CELERY_BROKER_URL)")
    _need(item, "browser", _chromium, "chromium (CHROMIUM_PATH)")


@pytest.fixture
def page(monkeypatch):
    """A page of Debian's chromium (headless, phone-sized, zh-CN), for ``browser`` tests."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself happen outside any coroutine, so Django's async guard does not apply to them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=_chromium(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
        yield context.new_page()
        browser.close()
        # The test's ORM calls ran in Playwright's context, with a connection of their own:
        # closed here, or the test database cannot be dropped at the end of the session.
        connections.close_all()


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", password="x")


@pytest.fixture
def make_user(django_user_model):
    def make(username, **extra):
        return django_user_model.objects.create_user(username=username, password="pw", **extra)

    return make


#: The fixtures' people hold their posts since this day.
IN_POST_SINCE = datetime.date(2020, 1, 1)


@pytest.fixture
def grid_tree(superuser, make_user):
    """County C → townships T1, T2 → villages V1, V2 (in T1), V3 (in T2) → groups.

    People: ``county`` (leader at C, county admin group), ``t1`` (leader at T1), ``v1``
    (leader at V1), ``g1`` (member at G1 in V1), ``v3`` (leader at V3), ``dept`` (医保 member
    at C).
    """
    from grids import services
    from grids.demo import ensure_departments, ensure_role_groups
    from grids.models import Level, Role

    def node(code, name, level, parent=None, vg=""):
        return services.grid_create(
            actor=superuser, code=code, name=name, level=level, parent=parent, village_group=vg
        )

    c = node("533423", "测试县", Level.COUNTY)
    t1 = node("533423100", "甲镇", Level.TOWNSHIP, c)
    t2 = node("533423200", "乙乡", Level.TOWNSHIP, c)
    v1 = node("533423100001", "一村", Level.VILLAGE, t1)
    v2 = node("533423100002", "二村", Level.VILLAGE, t1)
    v3 = node("533423200001", "三村", Level.VILLAGE, t2)
    g1 = node("5334231000010101", "一村1组第1网格", Level.GROUP, v1, "第1村民小组")
    g2 = node("5334231000010102", "一村1组第2网格", Level.GROUP, v1, "第1村民小组")
    g3 = node("5334231000020101", "二村1组第1网格", Level.GROUP, v2, "第1村民小组")
    g4 = node("5334232000010101", "三村1组第1网格", Level.GROUP, v3, "第1村民小组")
    departments = ensure_departments()
    groups = ensure_role_groups()

    def person(username, grid, role, department=None):
        user = make_user(username, first_name=username)
        # In post for years: tests that set the clock back still find them there.
        services.assignment_create(
            actor=superuser,
            user=user,
            grid=grid,
            role=role,
            department=department,
            started_on=IN_POST_SINCE,
        )
        return user

    county = person("county", c, Role.LEADER)
    county.groups.add(groups["县级管理员"])
    county.is_staff = True
    county.save()
    tree = SimpleNamespace(
        c=c,
        t1=t1,
        t2=t2,
        v1=v1,
        v2=v2,
        v3=v3,
        g1=g1,
        g2=g2,
        g3=g3,
        g4=g4,
        superuser=superuser,
        county=county,
        t1_leader=person("t1", t1, Role.LEADER),
        v1_leader=person("v1", v1, Role.LEADER),
        g1_member=person("g1", g1, Role.MEMBER),
        v3_leader=person("v3", v3, Role.LEADER),
        dept=person("dept", c, Role.MEMBER, departments["yibao"]),
    )
    # Reload nodes: the creations above moved lft/rght of the earlier ones.
    from grids.models import GridNode

    for key in ("c", "t1", "t2", "v1", "v2", "v3", "g1", "g2", "g3", "g4"):
        setattr(tree, key, GridNode.objects.get(pk=getattr(tree, key).pk))
    return tree


@pytest.fixture
def other_county(grid_tree, make_user):
    """A second county D (533401 另一县 → 一镇 → 一村 → 1组) with its own administrator
    (``admin``, leader at D) and a group grid member (``member``)."""
    from grids import services
    from grids.models import Level, Role

    su = grid_tree.superuser

    def node(code, name, level, parent=None, vg=""):
        return services.grid_create(
            actor=su, code=code, name=name, level=level, parent=parent, village_group=vg
        )

    d = node("533401", "另一县", Level.COUNTY)
    t = node("533401100", "一镇", Level.TOWNSHIP, d)
    v = node("533401100001", "一村", Level.VILLAGE, t)
    g = node("5334011000010101", "一村1组第1网格", Level.GROUP, v, "第1村民小组")

    def person(username, grid, role):
        user = make_user(username, first_name=username)
        services.assignment_create(
            actor=su, user=user, grid=grid, role=role, started_on=IN_POST_SINCE
        )
        return user

    return SimpleNamespace(
        d=d,
        t=t,
        v=v,
        g=g,
        admin=person("d-admin", d, Role.LEADER),
        member=person("d-g", g, Role.MEMBER),
    )


@pytest.fixture
def api(client):
    """A DRF test client; ``api.as_user(user)`` authenticates."""
    from rest_framework.test import APIClient

    c = APIClient()

    def as_user(user):
        c.force_authenticate(user)
        return c

    c.as_user = as_user
    return c


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for production logins, not for test fixtures.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _chinese_first():
    # A request with another language (e.g. the language switch test) leaves that language
    # active in the thread; services called directly by the next test must not inherit it.
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")


@pytest.fixture(autouse=True)
def _force_login_gives_the_second_factor(monkeypatch):
    """``client.force_login(user)`` means "signed in completely": for a person who must give a
    second factor (staff, county administrators), it also sets up a real authenticator and
    marks the session as having passed it, as ``django_otp.login`` does after a good code.
    The second-factor tests sign in through the login form instead, and see the real steps."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.second_factor import required_for

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if required_for(user):
            device, _ = TOTPDevice.objects.get_or_create(
                user=user, name="测试验证器", defaults={"confirmed": True}
            )
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Tasks run in-process unless a test starts a real worker (marked ``redis``)."""
    if request.node.get_closest_marker("redis"):
        yield
        return
    from weixi_grid.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Job files (uploads, results) and photos go to a temporary folder, never the project's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    storages = dict(settings.STORAGES)
    storages["photos"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "media" / "photos"), "base_url": "/photos/"},
    }
    settings.STORAGES = storages
