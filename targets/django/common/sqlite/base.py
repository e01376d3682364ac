"""Django's SQLite backend, with the two settings a multi-process SQLite deployment needs.

- Every transaction (``transaction.atomic``) starts with ``BEGIN IMMEDIATE`` instead of Django's
  deferred ``BEGIN``. A deferred transaction that reads and then writes must upgrade its lock;
  when another process has written in between, SQLite fails that upgrade at once with "database
  is locked" and the busy timeout cannot help. ``BEGIN IMMEDIATE`` takes the write lock up front,
  where the busy timeout applies, so atomic read-then-write blocks (register, follow, favorite,
  article create/update) wait their turn instead of failing. Django 5.1 grew the same option
  (``"transaction_mode": "IMMEDIATE"``); Django 3.2 needs this subclass.
- ``synchronous=NORMAL``: the recommended setting with WAL (durable at checkpoints, never
  corrupt); WAL itself is persistent in the file and is switched on once at start-up.
"""
from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _start_transaction_under_autocommit(self):
        self.cursor().execute("BEGIN IMMEDIATE")
