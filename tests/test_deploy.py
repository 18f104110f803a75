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


# gunicorn's settings ------------------------------------------------------------------------------


def test_gunicorn_settings_load_panel_in_production(tmp_path):
    environment = _production_environment(
        tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15"
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


# nginx in front of two app servers -----------------------------------------------------------------


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

    def start(self) -> None:
        environment = _production_environment(self.tmp, WEB_CONCURRENCY="1")
        for port in self.app_ports:
            self.apps.append(
                subprocess.Popen(
                    _gunicorn("tests.deploy_app:app"),
                    cwd=ROOT,
                    env={**environment, "PANEL_BIND": f"127.0.0.1:{port}"},
                    stdout=subprocess.DEVNULL,
                    stderr=(self.tmp / f"gunicorn-{port}.log").open("w"),
                    start_new_session=True,
                )
            )
        self._write_nginx_configuration()
        check = self.run_nginx("-t")
        assert check.returncode == 0, check.stderr
        self.nginx = subprocess.Popen(
            ["nginx", "-p", str(self.tmp), "-c", str(self.nginx_conf)],
            stderr=(self.tmp / "nginx.stderr").open("w"),
            start_new_session=True,
        )
        for port in self.app_ports:
            _wait_for(port, f"/_deploy_echo on 127.0.0.1:{port}", self.tmp)
        _wait_for(self.https_port, "nginx", self.tmp)

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
        # The site as the operator installs it, moved onto this machine: each of these must be
        # there to replace, so a change to the file that this test cannot follow fails here.
        for found, replacement in (
            ("panel.example.org", HOST),
            ("listen 80;", f"listen 127.0.0.1:{self.http_port};"),
            ("listen [::]:80;", ""),
            ("listen 443 ssl default_server;", f"listen 127.0.0.1:{self.https_port} ssl default_server;"),
            ("listen [::]:443 ssl default_server;", ""),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{self.https_port} ssl http2;"),
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


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _wait_for(port: int, what: str, logs: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    found = "\n".join(f"== {log.name}\n{log.read_text()[-2000:]}" for log in logs.glob("*.log"))
    pytest.fail(f"{what} did not start within 90 s\n{found}")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    running = Servers(tmp_path_factory.mktemp("deploy"))
    try:
        running.start()
        yield running
    finally:
        running.stop()


def _tls_context(servers: Servers) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(servers.certificate))
    return context


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
    assert response.headers.get_all("Cache-Control") == ["max-age=3600", "public"]
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
    response, _body = _get(servers, "/healthz")
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
