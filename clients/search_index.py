"""The search index behind clients.selectors.search, per database engine.

SQLite: an FTS5 table with the trigram tokenizer over Client.search_text, kept in step by
triggers. SQLite rebuilds a table on some schema changes and drops its triggers with it, so
`ensure_search_index` runs after every migrate and restores them (and the index) if missing.
PostgreSQL: pg_trgm's GIN index, with the practice first (btree_gin) as every list index.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

SQLITE_TRIGGERS = {
    "client_search_insert": """
        CREATE TRIGGER client_search_insert AFTER INSERT ON clients_client BEGIN
            INSERT INTO client_search(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
    "client_search_delete": """
        CREATE TRIGGER client_search_delete AFTER DELETE ON clients_client BEGIN
            INSERT INTO client_search(client_search, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
        END""",
    "client_search_update": """
        CREATE TRIGGER client_search_update AFTER UPDATE OF search_text ON clients_client BEGIN
            INSERT INTO client_search(client_search, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
            INSERT INTO client_search(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
}
SQLITE_TABLE = """
    CREATE VIRTUAL TABLE IF NOT EXISTS client_search USING fts5(
        search_text, content='clients_client', content_rowid='id', tokenize='trigram'
    )"""
# The search gives row ids of every practice and status; this narrow index answers "which of
# them are in this practice and tab, in which order" without reading the wide rows.
SQLITE_COVERING_INDEX = (
    "CREATE INDEX IF NOT EXISTS client_search_cover "
    "ON clients_client (id, practice_id, status, sort_key)"
)
POSTGRES_SQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "CREATE INDEX IF NOT EXISTS client_search_trgm ON clients_client "
    "USING gin (practice_id, search_text gin_trgm_ops)",
]


def ensure_search_index(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(SQLITE_COVERING_INDEX)
            # Fresh statistics after every migration: with figures for some indexes and not
            # for a new one, SQLite's planner can take the new one and sort the whole practice.
            cursor.execute("ANALYZE")
            cursor.execute(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE 'client_search_%'"
            )
            present = {row[0] for row in cursor.fetchall()}
            if present == set(SQLITE_TRIGGERS):
                return
            cursor.execute(SQLITE_TABLE)
            for name, sql in SQLITE_TRIGGERS.items():
                if name not in present:
                    cursor.execute(sql)
            cursor.execute("INSERT INTO client_search(client_search) VALUES ('rebuild')")
        elif connection.vendor == "postgresql":
            for sql in POSTGRES_SQL:
                cursor.execute(sql)


def drop_search_index(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute("DROP TABLE IF EXISTS client_search")
            cursor.execute("DROP INDEX IF EXISTS client_search_cover")
        elif connection.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS client_search_trgm")
