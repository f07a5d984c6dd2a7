"""gunicorn settings: `gunicorn -c gunicorn.conf.py wsgi:app`. Every value can be overridden
from the environment (see docs/deploy.md)."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WORKERS", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("THREADS", "1"))
timeout = int(os.environ.get("TIMEOUT", "60"))  # a request; large exports run as jobs
graceful_timeout = 30  # on SIGHUP/SIGTERM, workers finish what they are doing
keepalive = 5
max_requests = int(os.environ.get("MAX_REQUESTS", "2000"))  # recycle workers now and then
max_requests_jitter = int(os.environ.get("MAX_REQUESTS_JITTER", "200"))
# Only trust X-Forwarded-* from these addresses (the reverse proxy); the app's PROXY_HOPS
# setting decides how many hops of them it believes.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# Workers are forked from a master that has already imported the app, so a recycled worker
# serves at once instead of spending seconds of CPU importing it while participants wait (and
# the workers share the imported code's memory). New code therefore needs a restart, not HUP.
preload_app = True


def post_fork(_server, _worker):
    """No connection may be shared across fork: each worker opens its own, to the database and
    to the task queue's storage."""
    from survey.extensions import db
    from survey.queue import bound_app, init_queue

    app = bound_app()
    with app.app_context():
        db.engine.dispose(close=False)
    init_queue(app)
