"""Rate limits hold per client across app servers that share Redis: two gunicorn servers,
one Redis server and one database, all started here on 127.0.0.1 and stopped after.

Behind the documented proxy (TRUSTED_PROXY_COUNT=1), each visitor is counted by the address
the proxy saw, so a guesser is stopped on both servers while a colleague is not."""

import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from courses.certificates.views import VERIFY_LIMIT_PER_MINUTE
from courses.cohorts.views.join import JOIN_MISSES_PER_MINUTE
from tests.site.servers import GUNICORN, ROOT, free_port, wait_for_port

pytestmark = pytest.mark.xdist_group("servers")


def get(port, path, client_address):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-For": client_address}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("Runs once, with the SQLite suite: the servers use their own database.")
    redis_server = shutil.which("redis-server")
    gunicorn = GUNICORN
    if redis_server is None:
        pytest.skip("redis-server is not installed")
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed in this environment")
    workdir = tmp_path_factory.mktemp("servers")
    redis_port = free_port()
    processes = []
    try:
        redis = subprocess.Popen(  # noqa: S603
            [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(redis)
        wait_for_port(redis_port, redis)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lantern.settings.dev",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "CACHE_URL": f"redis://127.0.0.1:{redis_port}/0",
            "TRUSTED_PROXY_COUNT": "1",
            "PYTHONPATH": f"{ROOT / 'site'}{os.pathsep}{ROOT}",
        }
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=600,
        )
        ports = [free_port(), free_port()]
        for port in ports:
            server = subprocess.Popen(  # noqa: S603
                [str(gunicorn), "lantern.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"]
                + ["--no-control-socket"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            processes.append(server)
        for port, server in zip(ports, processes[1:], strict=True):
            wait_for_port(port, server)
        yield ports
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.mark.usefixtures("fresh_minute")
def test_verify_limit_is_shared_by_both_servers(two_servers):
    guesser, colleague = "203.0.113.7", "198.51.100.4"
    statuses = [
        get(two_servers[n % 2], "/verify/?code=AAAA-BBBB-CCCC", guesser)
        for n in range(VERIFY_LIMIT_PER_MINUTE + 6)
    ]
    allowed = [s for s in statuses if s != 429]
    assert len(allowed) == VERIFY_LIMIT_PER_MINUTE, statuses
    assert statuses[-6:] == [429] * 6
    # The same proxy, another visitor: untouched on either server.
    assert get(two_servers[0], "/verify/?code=AAAA-BBBB-CCCC", colleague) != 429
    assert get(two_servers[1], "/verify/?code=AAAA-BBBB-CCCC", colleague) != 429


@pytest.mark.usefixtures("fresh_minute")
def test_join_guesses_are_limited_across_both_servers(two_servers):
    guesser = "203.0.113.99"
    for n in range(JOIN_MISSES_PER_MINUTE):
        assert get(two_servers[n % 2], "/join/?code=AAAA-BBBB-CCCC", guesser) == 404
    assert get(two_servers[0], "/join/?code=AAAA-BBBB-CCCC", guesser) == 429
    assert get(two_servers[1], "/join/?code=AAAA-BBBB-CCCC", guesser) == 429
    assert get(two_servers[1], "/join/?code=AAAA-BBBB-CCCC", "198.51.100.5") == 404
