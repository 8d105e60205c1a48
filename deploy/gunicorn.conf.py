"""gunicorn settings for treem (docs/deployment.md). Every value can be changed from the environment."""

import multiprocessing
import os

bind = os.environ.get("TREEM_BIND", "127.0.0.1:8000")
# Sync workers: treem's views are synchronous Django code talking to PostgreSQL; one process per request at a time
# and a few per core keeps a slow report from holding up the others.
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * multiprocessing.cpu_count() + 1)))
worker_class = "sync"
# The large exports are built in the request (the consolidated report is a background job); 120 s covers them
# on a slow machine.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests, so that a slow leak never grows for weeks.
max_requests = 2000
max_requests_jitter = 200
preload_app = True
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "warning").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
