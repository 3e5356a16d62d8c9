"""Helpers for tests that run Lantern as real processes: gunicorn app servers, a Redis server,
task workers and a PostgreSQL database of their own, all on 127.0.0.1."""

import collections
import contextlib
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port():
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, timeout=60):
    """Wait until something listens on the port; fail early if the process has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listening on {port}")


def wait_until(condition, timeout=20, interval=0.2):
    """Poll `condition()` until it returns something truthy; return that, or None on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return None


def require_tools():
    """Skip unless redis-server and gunicorn are installed."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed in this environment")


class Processes:
    """Processes started by a test, stopped (in reverse order) by `stop_all()`."""

    def __init__(self, log_dir):
        self.log_dir = Path(log_dir)
        self.running = []

    def start(self, name, args, env=None, new_session=False):
        """Start a process in the repository root; its output goes to <log_dir>/<name>.log.
        With `new_session`, it leads a process group of its own that `kill_group()` ends at
        once, children included (an RQ worker's work horse)."""
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 (closed in stop_all)
        process = subprocess.Popen(  # noqa: S603
            args,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=new_session,
        )
        process.log = log
        process.name = name
        self.running.append(process)
        return process

    def stop(self, process):
        """Stop one process: SIGTERM, then SIGKILL after 20 seconds."""
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        process.log.close()
        if process in self.running:
            self.running.remove(process)

    def kill_group(self, process):
        """`kill -9` the process and every process it started, as when a machine or container
        dies: its process group (see `start`) and its descendants that left the group (an RQ
        worker's work horse has a group of its own). Nothing is cleaned up."""
        for pid in [process.pid, *descendants(process.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)  # none can start another meanwhile
        for pid in [process.pid, *descendants(process.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        self.stop(process)

    def stop_all(self):
        """Stop every process still running, last started first."""
        for process in reversed(list(self.running)):
            self.stop(process)

    def stop_all_but(self, ports):
        """Stop every process except redis and the gunicorn servers on these ports."""
        keep = {f"gunicorn-{port}" for port in ports}
        for process in reversed(list(self.running)):
            if process.name not in keep and not process.name.startswith("redis-"):
                self.stop(process)

    def output(self, process):
        """What the process has written so far (for assertion messages)."""
        process.log.flush()
        return (self.log_dir / f"{process.name}.log").read_text(errors="replace")[-4000:]

    def redis(self):
        """Start a redis-server without persistence; return its port."""
        port = free_port()
        process = self.start(
            f"redis-{port}",
            [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
        )
        wait_for_port(port, process)
        return port

    def gunicorn(self, env):
        """Start one gunicorn app server (one worker); return its port."""
        port = free_port()
        process = self.start(
            f"gunicorn-{port}",
            [str(GUNICORN), "lantern.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"]
            + ["--no-control-socket"],
            env={**env, "PYTHONPATH": f"{ROOT / 'site'}{os.pathsep}{ROOT}"},
        )
        try:
            wait_for_port(port, process)
        except (RuntimeError, TimeoutError) as error:
            raise RuntimeError(f"{error}: {self.output(process)}") from error
        return port


def descendants(pid):
    """The ids of every process below `pid` (children, their children …), from /proc."""
    children = collections.defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rpartition(")")[2].split()
            children[int(fields[1])].append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def manage(env, *args, timeout=300):
    """Run a manage.py command with this environment; fail with its output if it fails."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


# PostgreSQL: a database of the test's own, next to the one DATABASE_URL names.


def postgres_url():
    """DATABASE_URL if it names PostgreSQL; otherwise skip the test."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip(
            "Needs PostgreSQL: run with DATABASE_URL=postgres://… (the servers and workers "
            "share one database, which an SQLite test database cannot be)."
        )
    return url


def connect(url, dbname):
    """An autocommit psycopg connection to `dbname` on the server of `url`."""
    import psycopg

    parts = urllib.parse.urlparse(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or "postgres"),
        password=urllib.parse.unquote(parts.password or "") or None,
        dbname=dbname,
        autocommit=True,
    )


def create_database(url, prefix):
    """Create an empty database `<prefix>_<random>`; return (its name, its URL)."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    with connect(url, "postgres") as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlparse(url)
    return name, urllib.parse.urlunparse(parts._replace(path=f"/{name}"))


def drop_database(url, name):
    """Drop the database, disconnecting anyone still connected."""
    with connect(url, "postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# A browser-like HTTP client: cookies, CSRF tokens, no automatic redirects.


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.text = body.decode("utf-8", errors="replace")

    @property
    def location(self):
        return self.headers.get("Location", "")


class Browser:
    """One person's browser: a cookie jar shared by every server it talks to."""

    def __init__(self, forwarded_for="203.0.113.10"):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects()
        )
        self.forwarded_for = forwarded_for

    def request(self, port, path, data=None, content_type=None):
        """GET (or POST when data is given) http://127.0.0.1:<port><path>."""
        # As behind a load balancer: every server sees the public host name, not its own port
        # (allauth's per-account sign-in lock is keyed by host and address).
        headers = {"X-Forwarded-For": self.forwarded_for, "Host": "127.0.0.1"}
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", data=data, headers=headers
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return Response(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers, error.read())

    def get(self, port, path):
        return self.request(port, path)

    def csrf_token(self):
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def post(self, port, path, fields):
        """POST a form with the CSRF token from the cookie, as the page's form would."""
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf_token(), **fields})
        return self.request(
            port, path, data.encode(), content_type="application/x-www-form-urlencoded"
        )

    def post_file(self, port, path, field, filename, content, fields=None):
        """POST a multipart form with one file."""
        boundary = f"----lantern{secrets.token_hex(8)}"
        parts = []
        for name, value in {"csrfmiddlewaretoken": self.csrf_token(), **(fields or {})}.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            port, path, b"".join(parts), content_type=f"multipart/form-data; boundary={boundary}"
        )


def hidden_value(html, name):
    """The value of the hidden input `name` in a page."""
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="{name}"', html)
    assert match, f"no input named {name}"
    return match.group(1) or match.group(2)


# A PostgreSQL server of the test's own, to stop and start again.


def postgres_bin(program):
    """The path of a PostgreSQL server program (initdb, pg_ctl), or None."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{program}"))
    return str(found[-1]) if found else shutil.which(program)


class PostgresCluster:
    """A throwaway PostgreSQL cluster on a free loopback port, in a directory of its own:
    `stop()` shuts it down as a restart or failover would (every connection ends, nothing
    answers), `start()` brings it back with its data. As root, the server runs as the
    `postgres` account (PostgreSQL refuses to run as root). `close()` removes it."""

    def __init__(self):
        self.initdb, self.pg_ctl = postgres_bin("initdb"), postgres_bin("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            pytest.skip("Needs the PostgreSQL server programs (initdb, pg_ctl)")
        self.as_postgres = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                pytest.skip("Needs runuser to start PostgreSQL as the postgres account")
            self.as_postgres = [runuser, "-u", "postgres", "--"]
        import tempfile

        self.dir = Path(tempfile.mkdtemp(prefix="lantern-pg-"))
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
        self.data = self.dir / "data"
        self.port = free_port()
        self._run(self.initdb, "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()

    def _run(self, *args):
        result = subprocess.run(  # noqa: S603
            [*self.as_postgres, *map(str, args)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def start(self):
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            self.pg_ctl,
            "-D",
            self.data,
            "-l",
            self.dir / "server.log",
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self):
        """Shut down at once (`-m fast`): open connections end, new ones are refused."""
        self._run(self.pg_ctl, "-D", self.data, "-m", "fast", "-w", "stop")

    def close(self):
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            self._run(self.pg_ctl, "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)
