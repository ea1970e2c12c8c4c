"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit table.

TRUNCATE stays possible on purpose: test databases are flushed with it between
transactional tests, and only the table's owner can issue it.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION factcheck_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'factcheck_auditevent is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER factcheck_auditevent_append_only
    BEFORE UPDATE OR DELETE ON factcheck_auditevent
    FOR EACH ROW EXECUTE FUNCTION factcheck_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS factcheck_auditevent_append_only ON factcheck_auditevent;
DROP FUNCTION IF EXISTS factcheck_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the SQL is sent as is; with params, psycopg would read the
        # plpgsql "%" placeholder as a query parameter and refuse the statement.
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("factcheck", "0002_default_rating_scale")]
    operations = [migrations.RunPython(forwards, backwards)]
