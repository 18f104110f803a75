"""gunicorn's settings for Panel in production: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Every app server runs the same file; what differs between machines comes from the environment
(/etc/panel/panel.env, which systemd's panel.service reads): PANEL_BIND, FORWARDED_ALLOW_IPS and,
to override the count worked out from the processors, WEB_CONCURRENCY.
"""

import multiprocessing
import os

# Where nginx reaches this app server: its private address (a firewall lets only nginx in, since
# PROXY_COUNT=1 makes Panel trust the last X-Forwarded-For it is sent), or loopback when nginx
# runs on the same machine.
bind = [os.environ.get("PANEL_BIND", "127.0.0.1:8000")]

# Synchronous workers: each serves one request at a time and holds one database connection
# while it does. Panel's requests wait on PostgreSQL more than they compute, so twice the
# processors plus one (gunicorn's rule of thumb). Each worker costs about 150 MB; two app servers
# of 2 processors make 10 workers, so PostgreSQL needs 10 connections for them, plus a few for the
# job worker and cron.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"

# Panel refuses throttling counts in memory with more than one worker, but it cannot see a count
# set in this file (panel/config.py, `worker_count`). Say it in the environment its workers
# inherit, so that check sees what gunicorn will start.
os.environ["PANEL_WORKERS"] = str(workers)

# A request that runs longer than this is killed (its worker restarted): the slowest pages, a
# minutes PDF of a long meeting, take a few seconds. nginx waits a little longer (panel.conf).
timeout = 60
# On stop or restart, a worker finishes its request first, for this long.
graceful_timeout = 30
# No keep-alive to set: sync workers close each connection after its response, and nginx
# buffers each request and response in full, so a slow client never holds a worker.

# Restart each worker after about this many requests, at staggered moments, so that memory a
# library keeps (WeasyPrint's fonts, say) cannot grow without bound.
max_requests = 1000
max_requests_jitter = 100

# Load Panel once in the master, before forking: workers share its memory, and a wrong setting
# (production's ConfigurationError) stops the service once with the reason, rather than every
# worker failing over and over. Loading opens no database connection that the workers would then
# share (tests/test_deploy.py holds it to that). The cost: `kill -HUP` keeps the old code, so an
# upgrade restarts the service (README, "Upgrades").
preload_app = True

# Which peers gunicorn believes about the scheme (X-Forwarded-Proto): nginx alone. Panel's own
# ProxyFix (PROXY_COUNT) decides the client address, scheme and host; this keeps gunicorn from
# disagreeing with it.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# No access log of gunicorn's: Panel writes one JSON line per request with its request id
# (panel/core/request_log.py). gunicorn's own messages go to stderr, which systemd sends to the
# journal.
accesslog = None
errorlog = "-"
loglevel = "info"
proc_name = "panel"

# gunicorn's control socket (gunicornc) in the service's runtime folder, which systemd makes
# readable by the service's user only (RuntimeDirectory= in panel.service); none elsewhere.
_runtime = os.environ.get("RUNTIME_DIRECTORY")
if _runtime:
    control_socket = os.path.join(_runtime, "gunicorn.ctl")
else:
    control_socket_disable = True
