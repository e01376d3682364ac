"""A throw-away database for the management commands that measure (querycount, profilerequests)."""
import os
import tempfile
from contextlib import contextmanager

from django.core.management import call_command
from django.db import connection


@contextmanager
def throwaway_database(filename):
    """A fresh, migrated database for the duration of the block, then gone, whatever the
    settings' database holds: on SQLite a temp file named ``filename``; on PostgreSQL
    (DATABASE_URL) Django's test database ``test_NAME`` on that server, created and dropped as
    ``manage.py test`` does (the role needs CREATEDB)."""
    if connection.vendor == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            connection.close()
            connection.settings_dict["NAME"] = os.path.join(tmp, filename)
            call_command("migrate", verbosity=0)
            try:
                yield
            finally:
                connection.close()
    else:
        name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield
        finally:
            connection.creation.destroy_test_db(name, verbosity=0)
