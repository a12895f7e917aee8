"""Database functions the ORM lacks, written for PostgreSQL and SQLite alike."""

from django.db import models
from django.db.models import Func


class AddDays(Func):
    """date + a whole number of days, as a date, on PostgreSQL and SQLite alike."""

    output_field = models.DateField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" + ")

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            arg_joiner=", '+' || ",
        )
