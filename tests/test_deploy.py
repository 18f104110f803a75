"""deploy/: the production set-up an operator copies (README, "Running in production").

Checked by running it where this machine can: two gunicorns with deploy/gunicorn.conf.py behind
nginx with deploy/nginx/panel.conf (on loopback ports, with a certificate made for the test), the
systemd units through `systemd-analyze`, the cron jobs' commands against Panel's own, and the
example environment file against every setting Panel reads.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from panel import config

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
HOST = "panel.example.test"
# A release lives in /srv/panel (README); the tests use this checkout and its virtualenv.
RELEASE = "/srv/panel"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _production_environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    """What /etc/panel/panel.env gives a process, for a database of the test's own."""
    database = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'panel.sqlite'}"
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PANEL_WORKERS", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS")
    }
    environment.update(
        PANEL_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        DATA_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        AUDIT_CHAIN_KEY=secrets.token_hex(32),
        PANEL_BASE_URL=f"https://{HOST}",
        DATABASE_URL=database,
        PANEL_INSTANCE_PATH=str(tmp_path),
        PROXY_COUNT="1",
        RATELIMIT_STORAGE_URI="memory://",
    )
    environment.update(settings)
    return environment


def _gunicorn(app: str, *options: str) -> list[str]:
    return [
        str(BIN / "gunicorn"),
        "--config",
        str(DEPLOY / "gunicorn.conf.py"),
        *options,
        app,
    ]


# gunicorn's settings


def test_gunicorn_settings_load_panel_in_production(tmp_path):
    # Several workers share Redis: nothing is written to it while Panel loads.
    environment = _production_environment(
        tmp_path,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
        JOBS_REDIS_URL="redis://127.0.0.1:6379/15",
    )
    result = subprocess.run(
        _gunicorn("wsgi:app", "--check-config"),
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_panel_sees_the_workers_the_settings_start_and_refuses_counts_in_memory(tmp_path):
    """deploy/gunicorn.conf.py works out the workers from the processors; Panel cannot read that
    file, so the settings pass the count on, and production then refuses one throttling count per
    worker (at least 3 workers on any machine)."""
    environment = _production_environment(tmp_path, RATELIMIT_STORAGE_URI="memory://")
    result = subprocess.run(
        _gunicorn("wsgi:app", "--check-config"),
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    workers = (os.cpu_count() or 1) * 2 + 1
    assert f"Panel runs in {workers} worker processes" in result.stderr


def test_loading_panel_opens_no_database_connection_for_the_workers_to_share(tmp_path):
    """gunicorn loads Panel once and then forks its workers (preload_app): a connection opened
    while loading would be shared by them all, their queries interleaved on one socket."""
    environment = _production_environment(tmp_path)
    probe = (
        "from panel.extensions import db\n"
        "from wsgi import app\n"
        "with app.app_context():\n"
        "    print(db.engine.pool.checkedin() + db.engine.pool.checkedout())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stdout) == (0, "0\n"), result.stderr


# nginx in front of two app servers


class Servers:
    """Two gunicorns and nginx, each in its own process group, stopped by their own ids."""

    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.app_ports = [_free_port(), _free_port()]
        self.http_port = _free_port()
        self.https_port = _free_port()
        self.apps: list[subprocess.Popen] = []
        self.nginx: subprocess.Popen | None = None
        self.certificate = tmp_path / "panel.crt"
        self.nginx_conf = tmp_path / "nginx.conf"
        self.access_log = tmp_path / "panel.access.log"
        self.logs: list = []

    def start(self) -> None:
        environment = _production_environment(self.tmp, WEB_CONCURRENCY="1")
        for port in self.app_ports:
            self.apps.append(
                subprocess.Popen(
                    _gunicorn("tests.deploy_app:app"),
                    cwd=ROOT,
                    env={**environment, "PANEL_BIND": f"127.0.0.1:{port}"},
                    stdout=subprocess.DEVNULL,
                    stderr=self._log(f"gunicorn-{port}.log"),
                    start_new_session=True,
                )
            )
        self._write_nginx_configuration()
        check = self.run_nginx("-t")
        assert check.returncode == 0, check.stderr
        self.nginx = subprocess.Popen(
            ["nginx", "-p", str(self.tmp), "-c", str(self.nginx_conf)],
            stderr=self._log("nginx-stderr.log"),
            start_new_session=True,
        )
        for port, process in zip(self.app_ports, self.apps, strict=True):
            _wait_for(port, process, f"gunicorn on 127.0.0.1:{port}", self.tmp)
        _wait_for(self.https_port, self.nginx, "nginx", self.tmp)

    def _log(self, name: str):
        handle = (self.tmp / name).open("w")
        self.logs.append(handle)
        return handle

    def run_nginx(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["nginx", "-p", str(self.tmp), "-c", str(self.nginx_conf), *arguments],
            capture_output=True,
            text=True,
            timeout=30,
        )

    def _write_nginx_configuration(self) -> None:
        key = self.tmp / "panel.key"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
             "-keyout", str(key), "-out", str(self.certificate)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        site = (DEPLOY / "nginx" / "panel.conf").read_text()
        https = f"127.0.0.1:{self.https_port}"
        # The site as the operator installs it, moved onto this machine: each of these must be
        # there to replace, so a change to the file that this test cannot follow fails here.
        for found, replacement in (
            ("panel.example.org", HOST),
            ("listen 80;", f"listen 127.0.0.1:{self.http_port};"),
            ("listen [::]:80;", ""),
            ("listen 443 ssl default_server;", f"listen {https} ssl default_server;"),
            ("listen [::]:443 ssl default_server;", ""),
            ("listen 443 ssl http2;", f"listen {https} ssl http2;"),
            ("listen [::]:443 ssl http2;", ""),
            ("server 10.0.0.11:8000", f"server 127.0.0.1:{self.app_ports[0]}"),
            ("server 10.0.0.12:8000", f"server 127.0.0.1:{self.app_ports[1]}"),
            (f"/etc/letsencrypt/live/{HOST}/fullchain.pem", str(self.certificate)),
            (f"/etc/letsencrypt/live/{HOST}/privkey.pem", str(key)),
            (f"{RELEASE}/static/", f"{ROOT}/static/"),
            ("/var/log/nginx/panel.access.log", str(self.access_log)),
            ("/var/www/letsencrypt", str(self.tmp)),
        ):  # fmt: skip
            assert found in site, f"deploy/nginx/panel.conf no longer has {found!r}"
            site = site.replace(found, replacement)
        (self.tmp / "panel.conf").write_text(site)
        # Debian's own nginx.conf, which includes the site in its http block, moved into the
        # test's folder: a directive the site repeats from it (ssl_protocols) would fail here.
        main = Path("/etc/nginx/nginx.conf").read_text()
        for found, replacement in (
            ("user www-data;", "user root;" if os.geteuid() == 0 else ""),
            ("worker_processes auto;", "daemon off;\nworker_processes 1;"),
            ("pid /run/nginx.pid;", f"pid {self.tmp}/nginx.pid;"),
            ("include /etc/nginx/modules-enabled/*.conf;", ""),
            ("error_log /var/log/nginx/error.log;", f"error_log {self.tmp}/error.log;"),
            ("access_log /var/log/nginx/access.log;", f"access_log {self.tmp}/access.log;"
             + "".join(f"\n{kind}_temp_path {self.tmp}/{kind};"
                       for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))),
            ("include /etc/nginx/sites-enabled/*;", f"include {self.tmp}/panel.conf;"),
        ):  # fmt: skip
            assert found in main, f"/etc/nginx/nginx.conf no longer has {found!r}"
            main = main.replace(found, replacement)
        self.nginx_conf.write_text(main)

    def stop_app(self, index: int) -> None:
        _stop(self.apps[index])

    def stop(self) -> None:
        for process in [*self.apps, self.nginx]:
            if process is not None:
                _stop(process)
        for handle in self.logs:
            handle.close()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _wait_for(port: int, process: subprocess.Popen, what: str, logs: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    found = "\n".join(f"== {log.name}\n{log.read_text()[-2000:]}" for log in logs.glob("*.log"))
    pytest.fail(f"{what} did not start\n{found}")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    running = Servers(tmp_path_factory.mktemp("deploy"))
    try:
        running.start()
        yield running
    finally:
        running.stop()


def _tls_context(servers: Servers) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(servers.certificate))


def _connect(
    servers: Servers,
    context: ssl.SSLContext | None = None,
    source: str = "127.0.0.1",
    server_name: str = HOST,
) -> http.client.HTTPConnection:
    """An HTTPS connection to nginx for `server_name`, from the loopback address `source` (any
    127.x.y.z is this machine), as a browser elsewhere would connect to the proxy."""
    raw = socket.create_connection(("127.0.0.1", servers.https_port), 10, (source, 0))
    secure = (context or _tls_context(servers)).wrap_socket(raw, server_hostname=server_name)
    connection = http.client.HTTPConnection(server_name, timeout=30)
    connection.sock = secure
    return connection


def _get(servers: Servers, path: str, headers: dict | None = None, **options):
    connection = _connect(servers, **options)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def test_nginx_accepts_the_site(servers):
    check = servers.run_nginx("-t")
    assert check.returncode == 0
    assert "syntax is ok" in check.stderr


def test_panel_sees_the_client_address_scheme_and_host_that_nginx_saw(servers):
    """PROXY_COUNT=1 trusts the last X-Forwarded-For, -Proto and -Host: nginx sets each to what it
    saw, so what a client claims in its own headers changes nothing."""
    response, body = _get(
        servers,
        "/_deploy_echo",
        {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "attacker.example"},
        source="127.0.0.2",
    )
    assert response.status == 200
    seen = json.loads(body)
    assert (seen["remote_addr"], seen["scheme"], seen["host"]) == ("127.0.0.2", "https", HOST)


def test_pages_carry_one_hsts_header_and_the_request_id_nginx_gave(servers):
    response, body = _get(servers, "/healthz", {"X-Request-ID": "chosen-by-the-client"})
    assert response.status == 200
    assert json.loads(body) == {"status": "ok"}
    assert response.headers.get_all("Strict-Transport-Security") == [
        "max-age=31536000; includeSubDomains"
    ]
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    # nginx's access log names the same id (for /_deploy_echo, since /healthz is not logged).
    response, _body = _get(servers, "/_deploy_echo")
    request_id = response.headers["X-Request-ID"]
    for _ in range(50):  # nginx writes the line just after the response
        if request_id in servers.access_log.read_text():
            break
        time.sleep(0.1)
    assert request_id in servers.access_log.read_text()


def test_static_files_are_served_by_nginx_with_caching(servers):
    response, body = _get(servers, "/static/favicon.svg")
    assert response.status == 200
    assert body == (ROOT / "static" / "favicon.svg").read_bytes()
    assert "X-Request-ID" not in response.headers  # Panel sets it on everything it answers
    assert response.headers.get_all("Cache-Control") == ["max-age=3600"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert len(response.headers.get_all("Strict-Transport-Security")) == 1


def test_plain_http_is_redirected_to_https(servers):
    connection = http.client.HTTPConnection("127.0.0.1", servers.http_port, timeout=10)
    try:
        connection.request("GET", "/meetings?page=2", headers={"Host": HOST})
        response = connection.getresponse()
    finally:
        connection.close()
    assert response.status == 301
    assert response.headers["Location"] == f"https://{HOST}/meetings?page=2"


def test_a_body_over_max_content_length_is_refused_by_nginx(servers):
    setting = re.search(
        r"client_max_body_size (\d+)m;", (DEPLOY / "nginx" / "panel.conf").read_text()
    )
    assert setting is not None
    assert int(setting[1]) * 1024 * 1024 == config.load(str(servers.tmp), {})["MAX_CONTENT_LENGTH"]
    connection = _connect(servers)
    try:
        connection.request("POST", "/sign-in", body=b"x" * (2 * 1024 * 1024 + 1))
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 413
    assert "X-Request-ID" not in response.headers  # refused before Panel read it


def test_tls_1_2_needs_forward_secrecy_and_1_3_is_offered(servers):
    connection = _connect(servers)
    assert connection.sock.version() == "TLSv1.3"
    connection.close()

    tls12 = _tls_context(servers)
    tls12.maximum_version = ssl.TLSVersion.TLSv1_2
    connection = _connect(servers, context=tls12)
    assert connection.sock.version() == "TLSv1.2"
    assert connection.sock.cipher()[0].startswith("ECDHE-")
    connection.close()

    # RSA key exchange: a recorded session could be read later with the server's key.
    tls12.set_ciphers("AES128-GCM-SHA256")
    with pytest.raises(ssl.SSLError):
        _connect(servers, context=tls12)


def test_another_host_name_gets_no_tls_handshake(servers):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with pytest.raises(ssl.SSLError):
        _connect(servers, context=context, server_name="attacker.example")


def test_both_app_servers_serve_and_one_stopping_loses_no_request(servers):
    """Last in this module: it stops the second app server."""
    answered = {json.loads(_get(servers, "/_deploy_echo")[1])["server"] for _ in range(6)}
    assert answered == {f"127.0.0.1:{port}" for port in servers.app_ports}

    servers.stop_app(1)
    for _ in range(6):
        response, body = _get(servers, "/_deploy_echo")
        assert response.status == 200
        assert json.loads(body)["server"] == f"127.0.0.1:{servers.app_ports[0]}"


# Panel's commands, as cron and the units run them


@pytest.fixture(scope="module")
def panel_commands(tmp_path_factory) -> set[str]:
    """The commands `flask --app wsgi --help` lists: Panel's own, Flask-Migrate's `db` and
    Flask's."""
    environment = {**os.environ, "PANEL_INSTANCE_PATH": str(tmp_path_factory.mktemp("cli"))}
    environment.pop("PANEL_ENV", None)
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "--help"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    listed = result.stdout.partition("Commands:")[2]
    return {line.split()[0] for line in listed.splitlines() if line.strip()}


def _flask_command(command: str) -> str:
    """The Panel command in a command line that runs `flask --app wsgi NAME` or
    `deploy/panel-flask NAME`."""
    found = re.search(r"(?:flask --app wsgi|deploy/panel-flask) ([a-z-]+)", command)
    assert found, f"no Panel command in {command!r}"
    return found[1]


UNITS = ("panel.service", "panel-worker.service")


def _unit(name: str) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _sep, value = line.partition("=")
            settings.setdefault(key, []).append(value)
    return settings


@pytest.mark.parametrize("name", UNITS)
def test_systemd_units_verify_and_are_hardened(name, tmp_path):
    """`systemd-analyze verify` on the unit (its commands pointed at this checkout's virtualenv,
    since /srv/panel is not here) says nothing at all; `systemd-analyze security` rates it."""
    unit = tmp_path / name
    unit.write_text((DEPLOY / name).read_text().replace(f"{RELEASE}/.venv/bin/", f"{BIN}/"))
    verify = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert (verify.returncode, verify.stdout + verify.stderr) == (0, "")

    security = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    exposure = re.search(r"Overall exposure level for \S+: ([\d.]+)", security.stdout)
    assert exposure, security.stdout + security.stderr
    assert float(exposure[1]) <= 2.0  # "OK"; without its hardening this unit rates 9.2 ("UNSAFE")

    settings = _unit(name)
    assert settings["User"] == ["panel"]
    assert settings["EnvironmentFile"] == ["/etc/panel/panel.env"]
    assert settings["ReadWritePaths"] == ["/var/lib/panel"]
    assert settings["Restart"] == ["on-failure"]


@pytest.mark.parametrize("name", UNITS)
def test_units_run_panels_own_commands(name, panel_commands):
    (command,) = _unit(name)["ExecStart"]
    if "gunicorn" in command:
        assert command == f"{RELEASE}/.venv/bin/gunicorn --config deploy/gunicorn.conf.py wsgi:app"
    else:
        assert _flask_command(command) in panel_commands


def _cron_jobs() -> list[tuple[list[str], str, str]]:
    """Each job in deploy/panel.cron: its five time fields, its user and its command."""
    jobs = []
    for line in (DEPLOY / "panel.cron").read_text().splitlines():
        if not line.strip() or line.startswith("#") or re.match(r"[A-Z_]+=", line):
            continue
        fields = line.split(maxsplit=6)
        jobs.append((fields[:5], fields[5], fields[6]))
    return jobs


def test_cron_runs_panels_commands_once_at_a_time_outside_the_clock_change(panel_commands):
    jobs = _cron_jobs()
    commands = {_flask_command(command) for _when, _user, command in jobs}
    daily = {"backup", "audit-anchor", "apply-retention", "send-reminders"}
    assert commands == daily | {"send-outbox"}
    assert commands <= panel_commands
    for (_minute, hour, *_days), user, command in jobs:
        assert user == "root"  # to read /etc/panel/panel.env; panel-flask then becomes panel
        # 01:00 to 02:59 London time happens twice, or not at all, on the days the clocks change.
        if _flask_command(command) in daily:
            assert int(hour) not in (1, 2), command
        assert re.match(r"flock -n /run/lock/panel-[a-z]+\.lock ", command), command
        assert "%" not in command  # cron would end the command there
        syntax = subprocess.run(["sh", "-n", "-c", command], capture_output=True, timeout=10)
        assert syntax.returncode == 0, command


def test_the_readme_walks_an_operator_through_every_file_in_deploy():
    readme = (ROOT / "README.md").read_text()
    walk_through = readme.partition("### A deployment, step by step")[2].partition("\n### ")[0]
    files = sorted(path.relative_to(DEPLOY).as_posix() for path in DEPLOY.rglob("*.*"))
    files.append("panel-flask")
    assert [name for name in files if name not in walk_through] == []


# The environment file


def _settings_panel_reads() -> set[str]:
    """Every environment variable Panel reads: `env.get("NAME")`, `environ.get("NAME")`,
    `env["NAME"]` and `_whole_number(env, "NAME", ...)` anywhere in panel/."""
    pattern = re.compile(
        r"""(?:\b(?:env|environ)(?:\.get\(|\[)|_whole_number\(env,\s*)\s*["']([A-Z][A-Z0-9_]+)["']"""
    )
    names = set()
    for source in (ROOT / "panel").rglob("*.py"):
        names.update(pattern.findall(source.read_text()))
    return names


def _example_settings() -> tuple[set[str], set[str]]:
    """The names deploy/panel.env.example sets, and those it shows commented out."""
    text = (DEPLOY / "panel.env.example").read_text()
    given = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))
    shown = set(re.findall(r"^# ([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))
    return given, shown


def test_the_example_environment_names_every_setting_panel_reads():
    given, shown = _example_settings()
    reads = _settings_panel_reads()
    assert {"SECRET_KEY", "DATABASE_URL", "PANEL_INSTANCE_PATH", "SIGN_IN_LOCK_MINUTES"} <= reads
    assert reads - given - shown == set()
    # What production refuses to start without is set, not left as a comment.
    assert {
        "PANEL_ENV", "SECRET_KEY", "DATA_ENCRYPTION_KEY", "AUDIT_CHAIN_KEY", "PANEL_BASE_URL",
        "DATABASE_URL", "RATELIMIT_STORAGE_URI", "PROXY_COUNT", "JOBS_REDIS_URL",
    } <= given  # fmt: skip


def _read_like_panel_flask(path: Path) -> dict[str, str]:
    """The variables an environment file gives, read as deploy/panel-flask reads it (the shell)."""
    result = subprocess.run(
        ["sh", "-c", 'set -a; . "$1"; env -0', "sh", str(path)],
        capture_output=True,
        env={"PATH": os.environ["PATH"]},
        check=True,
        timeout=10,
    )
    pairs = (item.partition("=") for item in result.stdout.decode().split("\0") if item)
    return {key: value for key, _equals, value in pairs}


def test_the_example_with_its_keys_filled_in_is_accepted_by_production(tmp_path):
    """Filled in as its comments say, the example is a configuration production starts with, for
    the workers deploy/gunicorn.conf.py starts."""
    example = (DEPLOY / "panel.env.example").read_text()
    filled = (
        example.replace("SECRET_KEY=\n", f"SECRET_KEY={secrets.token_hex(32)}\n")
        .replace(
            "DATA_ENCRYPTION_KEY=\n", f"DATA_ENCRYPTION_KEY={Fernet.generate_key().decode()}\n"
        )
        .replace("AUDIT_CHAIN_KEY=\n", f"AUDIT_CHAIN_KEY={secrets.token_hex(32)}\n")
    )
    path = tmp_path / "panel.env"
    path.write_text(filled)
    environment = _read_like_panel_flask(path)
    assert environment["MAIL_FROM"] == "Panel <panel@example.org>"
    assert environment["PGSSLMODE"] == "require"

    settings = config.load(str(tmp_path), {**environment, "PANEL_WORKERS": "5"}, argv=["gunicorn"])
    assert settings["PRODUCTION"] and settings["WORKERS"] == 5
    assert settings["PROXY_COUNT"] == 1
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://panel:")

    # As shipped, with its keys empty, it cannot start by mistake.
    path.write_text(example)
    with pytest.raises(config.ConfigurationError, match="SECRET_KEY"):
        config.load(str(tmp_path), _read_like_panel_flask(path), argv=["gunicorn"])


def _panel_flask_environment(env_file: Path) -> dict[str, str]:
    """What panel-flask needs to run here: this checkout for /srv/panel, this machine's user for
    the panel user (so it runs the command itself, without runuser)."""
    whoami = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True)
    return {
        "PATH": os.environ["PATH"],
        "PANEL_ENV_FILE": str(env_file),
        "PANEL_HOME": str(ROOT),
        "PANEL_VENV": str(BIN.parent),
        "PANEL_USER": whoami.stdout.strip(),
    }


def _panel_flask(arguments: list[str], env_file: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DEPLOY / "panel-flask"), *arguments],
        env=_panel_flask_environment(env_file),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_panel_flask_runs_commands_with_the_environment_file(tmp_path):
    environment = _production_environment(tmp_path)
    env_file = tmp_path / "panel.env"
    settings = ("PANEL_ENV", "DATA_ENCRYPTION_KEY", "AUDIT_CHAIN_KEY", "PANEL_BASE_URL")
    lines = [f"{name}={environment[name]}" for name in settings]
    lines += [f"DATABASE_URL={environment['DATABASE_URL']}", f"PANEL_INSTANCE_PATH={tmp_path}"]

    env_file.write_text("\n".join([*lines, "SECRET_KEY=too-short"]) + "\n")
    refused = _panel_flask(["audit-verify"], env_file)
    assert refused.returncode != 0
    assert "Set SECRET_KEY to a random value" in refused.stderr

    env_file.write_text("\n".join([*lines, f"SECRET_KEY={secrets.token_hex(32)}"]) + "\n")
    listed = _panel_flask(["--help"], env_file)
    assert listed.returncode == 0, listed.stderr
    assert "send-reminders" in listed.stdout

    missing = _panel_flask(["--help"], tmp_path / "absent.env")
    assert missing.returncode == 1
    assert "cannot read" in missing.stderr


def test_the_nightly_backup_job_takes_a_backup_and_keeps_35_days(tmp_path):
    """The backup line of deploy/panel.cron, run as cron runs it, through panel-flask, on a SQLite
    database: a new backup that verifies, and only backups older than 35 days removed. (As this
    machine's user: its Python lives where no other user may read.)"""
    instance, backups = tmp_path / "instance", tmp_path / "backups"
    instance.mkdir()
    backups.mkdir()
    old, recent = backups / "panel-20200101-033000", backups / "panel-20261201-033000"
    for folder in (old, recent):
        folder.mkdir()
    forty_days_ago = time.time() - 40 * 86400
    os.utime(old, (forty_days_ago, forty_days_ago))

    environment = _production_environment(instance)
    env_file = tmp_path / "panel.env"
    env_file.write_text(
        "".join(
            f"{name}={environment[name]}\n"
            for name in ("PANEL_ENV", "SECRET_KEY", "DATA_ENCRYPTION_KEY", "AUDIT_CHAIN_KEY")
        )
        + f"PANEL_BASE_URL=https://{HOST}\nPANEL_INSTANCE_PATH={instance}\n"
        + f"DATABASE_URL=sqlite:///{instance}/panel.sqlite\n"
    )
    upgrade = _panel_flask(["db", "upgrade"], env_file)
    assert upgrade.returncode == 0, upgrade.stderr

    (command,) = [command for _when, _user, command in _cron_jobs() if "backup" in command]
    for found, replacement in (
        (f"{RELEASE}/deploy/panel-flask", str(DEPLOY / "panel-flask")),
        ("/var/backups/panel", str(backups)),
        ("/run/lock/", f"{tmp_path}/"),
    ):
        assert found in command
        command = command.replace(found, replacement)
    job = subprocess.run(
        ["sh", "-c", command],
        env=_panel_flask_environment(env_file),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert job.returncode == 0, job.stderr

    kept = sorted(folder.name for folder in backups.iterdir())
    assert len(kept) == 2 and kept[0] == recent.name  # the old one removed, a new one taken
    manifest = json.loads((backups / kept[1] / "manifest.json").read_text())
    assert manifest["audit_chain_verified"]
