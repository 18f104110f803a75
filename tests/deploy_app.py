"""Panel as wsgi.py makes it, with one page more for tests/test_deploy.py: what Panel believes
about a request that came through nginx (the client's address, the scheme, the host) and which
app server answered it."""

import os

from flask import request

from panel import access
from wsgi import app


@app.get("/_deploy_echo")
@access.rule(access.PUBLIC)
def deploy_echo():
    return {
        "remote_addr": request.remote_addr,
        "scheme": request.scheme,
        "host": request.host,
        "server": os.environ["PANEL_BIND"],
    }
