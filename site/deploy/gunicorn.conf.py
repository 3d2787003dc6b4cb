"""Example gunicorn configuration for Sổ tay đảng viên điện tử (copy to /etc/sotay/ and adapt).

    gunicorn -c /etc/sotay/gunicorn.conf.py config.wsgi:application

Environment (CONTRACT.md) comes from the systemd unit's EnvironmentFile: DATABASE_URL,
REDIS_URL, ELASTICSEARCH_URL, SECRET_KEY, DJANGO_ALLOWED_HOSTS,
DJANGO_SETTINGS_MODULE=config.settings.production.
"""

import multiprocessing
import os

# nginx proxies to this socket (see nginx.conf.example); a TCP port works too.
bind = os.environ.get("GUNICORN_BIND", "unix:/run/sotay/gunicorn.sock")
# Sync workers: page views are short and database-bound. (2 x cores) + 1 is gunicorn's rule of
# thumb.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# GUNICORN_THREADS > 1 makes them threaded workers (gunicorn then uses "gthread"): a request's
# waits on PostgreSQL (a check-in's commit) overlap with another's work, and connections stay
# open between requests (keepalive). On the check-in peak (bench/RESULTS.md, issue 4), one
# worker per core with 2 threads each (GUNICORN_WORKERS=2 GUNICORN_THREADS=2) carried the most
# batched scans (the offline endpoint) and about as many single scans as sync workers.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 60  # an upload of a member spreadsheet is processed by a job, not in the request
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (bounded memory growth). Not every few thousand requests: at the
# check-in peak (~850 requests/s a worker, bench/RESULTS.md) 20,000 restarted each worker every
# ~25 s, each new one reconnecting to PostgreSQL and warming up again.
max_requests = 200000
max_requests_jitter = 20000
preload_app = True  # import Django once, fork the workers (less memory, faster restarts)
forwarded_allow_ips = "127.0.0.1"  # trust X-Forwarded-* only from the local nginx
accesslog = "-"  # to the journal; nginx keeps the full access log
errorlog = "-"
loglevel = "info"
# No CCCD in the access log (Decree 13/2023): log the path without the query string.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'
