"""On PostgreSQL, GIN indexes for desk search (``factcheck/search.py``).

They index exactly the expressions the search builds (``claim_vector()`` and
``article_vector()``), so a search reads the index instead of parsing every claim and
article body. SQLite has no text-search functions: the fallback there scans, and this
migration does nothing. The indexes are not in the models' ``Meta`` on purpose: an
index of this kind cannot be created on SQLite.
"""

from django.db import migrations

CREATE = """
CREATE INDEX IF NOT EXISTS factcheck_claim_search ON factcheck_claim
    USING gin (to_tsvector('english'::regconfig, COALESCE("text", '')));
CREATE INDEX IF NOT EXISTS factcheck_article_search ON factcheck_article
    USING gin ((
        setweight(to_tsvector('english'::regconfig, COALESCE("title", '')), 'A')
        || setweight(
            to_tsvector('english'::regconfig, COALESCE(SUBSTRING("body", 1, 100000), '')),
            'B'
        )
    ));
"""

DROP = """
DROP INDEX IF EXISTS factcheck_claim_search;
DROP INDEX IF EXISTS factcheck_article_search;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("factcheck", "0004_api_tokens")]
    operations = [migrations.RunPython(forwards, backwards)]
