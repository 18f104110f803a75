"""Each event Panel logs is one line, in either format, whoever else configures logging.

gunicorn given a logging configuration, and Alembic when migrations run in-process (`flask db
upgrade`, `flask restore`), give the root logger a handler of their own: a record that went on to
the root logger as well as Panel's handler would be written twice.
"""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import pytest

from panel import create_app

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_an_event_is_one_line_even_when_the_root_logger_has_a_handler(app, log_format):
    other = create_app({**app.config, "LOG_FORMAT": log_format})
    [panel_handler] = [
        h for h in logging.getLogger("panel").handlers if getattr(h, "panel_handler", False)
    ]
    written, to_root = io.StringIO(), io.StringIO()
    root_handler = logging.StreamHandler(to_root)
    logging.getLogger().addHandler(root_handler)
    stream = panel_handler.setStream(written)
    try:
        request_id = other.test_client().get("/healthz").headers["X-Request-ID"]
        other.logger.warning("A warning for the operator")
    finally:
        panel_handler.setStream(stream)
        logging.getLogger().removeHandler(root_handler)
    assert to_root.getvalue() == ""
    lines = written.getvalue().splitlines()
    assert sum(request_id in line for line in lines) == 1
    assert sum("A warning for the operator" in line for line in lines) == 1
    if log_format == "json":
        assert all(json.loads(line) for line in lines)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("server", "log_format"),
    [
        # A logging configuration, as a deployment gives gunicorn: its root logger gets a handler.
        # (`flask run` gives the root logger none: its lines were single already.)
        (
            ["-m", "gunicorn", "--no-control-socket", "--log-config-json", "{config}", "--bind"],
            "json",
        ),
    ],
    ids=["gunicorn"],
)
def test_a_server_writes_each_request_s_line_once(tmp_path, server, log_format):
    port = _free_port()
    address = f"127.0.0.1:{port}" if "gunicorn" in server else str(port)
    log = tmp_path / "server.log"
    config = tmp_path / "logging.json"
    config.write_text(json.dumps({"version": 1}))  # gunicorn's defaults: root writes to stdout
    server = [str(config) if part == "{config}" else part for part in server]
    env = {
        **os.environ,
        "PANEL_ENV": "development",
        "PANEL_INSTANCE_PATH": str(tmp_path),
        # /healthz asks nothing of the database: an empty SQLite file will do.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'panel.sqlite'}",
        "LOG_FORMAT": log_format,
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, *server, address, *(["wsgi:app"] if "gunicorn" in server else [])],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        request_id = _healthz_request_id(port, process, log)
        deadline = time.monotonic() + 10
        while request_id not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.3)  # a second copy, if there were one, is written straight after
    finally:
        _stop(process)
    lines = [line for line in log.read_text().splitlines() if request_id in line]
    assert len(lines) == 1, log.read_text()
    if log_format == "json":
        assert json.loads(lines[0])["route"] == "/healthz"


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _healthz_request_id(port: int, process: subprocess.Popen, log: Path) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped:\n{log.read_text()}")
        try:
            with urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:  # noqa: S310
                return response.headers["X-Request-ID"]
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer within 60 s:\n{log.read_text()}")
