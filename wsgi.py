"""The WSGI entry point: `gunicorn wsgi:app` in production."""

from panel import create_app

app = create_app()
