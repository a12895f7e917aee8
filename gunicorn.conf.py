"""gunicorn's settings for the web process, in one place: `gunicorn -c gunicorn.conf.py
tracker.wsgi` (docs/operations.md). Options given on the command line win over these, so
a test or a benchmark can bind a port of its own (`-b 127.0.0.1:PORT`) and keep the rest.
"""

bind = "127.0.0.1:8000"  # behind nginx or another proxy that ends TLS
workers = 3

# Threaded workers, not gunicorn's default sync ones. A sync worker tells the arbiter it
# is alive only between requests, so the arbiter kills any request that takes longer than
# `timeout`, even one that is making progress: a full /commitments.csv at a million pledges
# takes minutes (longer for a client that reads slowly), and was cut off after 30 s (issue
# 11). A gthread worker's main thread reports every second whatever its threads are doing,
# so `timeout` only restarts a worker that stopped answering altogether, and a request may
# take as long as it needs (gunicorn's docs on `timeout`: for the non-sync workers it "is
# not tied to the length of time required to handle a single request").
worker_class = "gthread"
# Requests served at once per worker: a download keeps one thread for as long as its
# client reads, while the others answer pages. Each thread keeps its own database
# connection (CONN_MAX_AGE), so the database sees up to workers × threads of them.
threads = 4
timeout = 30

# A restart (deploy, SIGHUP, SIGTERM) lets requests in progress finish for
# `graceful_timeout` seconds (30) and then kills them; a download cut so ends without
# HTTP/1.1's last chunk, which clients report as an error (docs/operations.md).

# gunicorn's control socket (for its `gunicornc` tool, which nothing here uses) is one
# path per user ($HOME/.gunicorn/gunicorn.ctl) that every gunicorn on the machine would
# take over from the one before.
control_socket_disable = True
