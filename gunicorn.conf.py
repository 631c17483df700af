"""gunicorn settings for SkillMap: ``gunicorn -c gunicorn.conf.py 'skillmap:create_app()'``.

Threaded workers (``gthread``): each worker process serves a few requests at once, so a
save or a profile page that takes milliseconds is not queued behind a report that takes
half a second in the same process (with ``sync`` workers it waits for it; see
bench/README.md for the measurement). Python runs one thread at a time per process, so
more threads than a few only add waiting: scale with processes (``SKILLMAP_WORKERS``,
about one per core) and machines.

Environment: ``SKILLMAP_BIND`` (default 127.0.0.1:8000; several addresses separated by
commas), ``SKILLMAP_WORKERS`` (default: the number of cores, at least 2),
``SKILLMAP_THREADS`` (default 4), ``SKILLMAP_TIMEOUT`` (seconds a request may take before
its worker is restarted, default 60).

Each worker freezes the objects it holds once the application is loaded (``gc.freeze``):
Python's full garbage collection otherwise walks the ~300,000 objects of the imported
libraries every time it runs, 200-300 ms during which no thread of that worker answers
(the slowest 5% of requests under load); after the freeze it walks only what requests
made since, about 10 ms.
"""
import gc
import os

bind = [b.strip() for b in os.environ.get("SKILLMAP_BIND", "127.0.0.1:8000").split(",") if b.strip()]
workers = int(os.environ.get("SKILLMAP_WORKERS") or max(2, os.cpu_count() or 1))
worker_class = "gthread"
threads = int(os.environ.get("SKILLMAP_THREADS") or 4)
timeout = int(os.environ.get("SKILLMAP_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
accesslog = os.environ.get("SKILLMAP_ACCESS_LOG") or None


def post_worker_init(worker):
    """The application is loaded: leave its objects out of every later full collection."""
    gc.collect()
    gc.freeze()
