"""Full-text search inside one network, behind one interface: `search(network, query)`.

Content services keep `SearchDocument` rows up to date with `index_document()` and
`remove_document()`. The full-text index over those rows is database-specific and made with raw
SQL (here for `create_all`, and in the migration): an external-content FTS5 table kept in step by
triggers on SQLite; a stored generated `to_tsvector('dutch', ...)` column with a GIN index on
PostgreSQL. Their names contain "_fts", which migrations/env.py leaves out of the comparison.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import DDL, delete, event, select, text

from app.extensions import db
from app.networks.models import Network, SearchDocument
from app.networks.registry import search_kind

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS network_search_fts USING fts5("
    "title, body, content='network_search_documents', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS network_search_fts_ai AFTER INSERT ON network_search_documents BEGIN "
    "INSERT INTO network_search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS network_search_fts_ad AFTER DELETE ON network_search_documents BEGIN "
    "INSERT INTO network_search_fts(network_search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS network_search_fts_au AFTER UPDATE ON network_search_documents BEGIN "
    "INSERT INTO network_search_fts(network_search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO network_search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
)
SQLITE_DROP = ("DROP TABLE IF EXISTS network_search_fts",)
# A stored tsvector (computed by PostgreSQL on every write), so ranking never re-parses text.
POSTGRES_DDL = (
    "ALTER TABLE network_search_documents ADD COLUMN IF NOT EXISTS search_fts tsvector "
    "GENERATED ALWAYS AS (to_tsvector('dutch', title || ' ' || body)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_network_search_fts ON network_search_documents USING gin (search_fts)",
)

_table = SearchDocument.__table__
for _sql in SQLITE_DDL:
    event.listen(_table, "after_create", DDL(_sql).execute_if(dialect="sqlite"))
for _sql in POSTGRES_DDL:
    event.listen(_table, "after_create", DDL(_sql).execute_if(dialect="postgresql"))
for _sql in SQLITE_DROP:
    event.listen(_table, "before_drop", DDL(_sql).execute_if(dialect="sqlite"))

MAX_TERMS = 8
MARK_START, MARK_END = "\x02", "\x03"


@dataclass(frozen=True)
class SearchHit:
    kind: str
    kind_label: str
    object_id: int
    title: str
    snippet: Markup
    url: str


def index_document(network_id: int, kind: str, object_id: int, title: str, body: str) -> None:
    """Create or replace the searchable text of one object (flushes)."""
    doc = db.session.scalar(
        select(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.object_id == object_id)
    )
    if doc is None:
        doc = SearchDocument(network_id=network_id, kind=kind, object_id=object_id)
        db.session.add(doc)
    doc.title, doc.body = title[:300], body or ""
    db.session.flush()


def remove_document(kind: str, object_id: int) -> None:
    """Take one object out of the search index (flushes)."""
    db.session.execute(
        delete(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.object_id == object_id)
    )


def terms(query: str) -> list[str]:
    """The words of a query: letters and digits only, so no query syntax reaches the database."""
    return re.findall(r"[^\W_]+", query.lower())[:MAX_TERMS]


def _mark(snippet: str) -> Markup:
    html = str(escape(snippet or ""))
    return Markup(html.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S704


def search(network: Network, query: str, limit: int = 50) -> list[SearchHit]:
    """Objects of `network` whose text matches every word of `query` (prefixes count), best first."""
    words = terms(query)
    if not words:
        return []
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        rows = _search_postgresql(network.id, words, limit)
    else:
        rows = _search_sqlite(network.id, words, limit)
    hits = []
    for kind, object_id, title, snippet in rows:
        found = search_kind(kind)
        if found is None:
            continue
        label, url_for_object = found
        hits.append(
            SearchHit(
                kind, str(label), object_id, title, _mark(snippet), url_for_object(network.id, object_id)
            )
        )
    return hits


def _search_sqlite(network_id: int, words: list[str], limit: int):
    match = " ".join(f'"{w}"*' for w in words)
    sql = text(
        "SELECT d.kind, d.object_id, d.title, "
        "snippet(network_search_fts, -1, :start, :end, '…', 16) "
        "FROM network_search_fts JOIN network_search_documents d ON d.id = network_search_fts.rowid "
        "WHERE network_search_fts MATCH :match AND d.network_id = :network_id "
        "ORDER BY rank LIMIT :limit"
    )
    params = {"start": MARK_START, "end": MARK_END, "match": match, "network_id": network_id, "limit": limit}
    return db.session.execute(sql, params).all()


def _search_postgresql(network_id: int, words: list[str], limit: int):
    tsquery = " & ".join(f"'{w}':*" for w in words)
    # The best `limit` rows first, then the (costly) headlines for those rows only.
    sql = text(
        "SELECT d.kind, d.object_id, d.title, "
        "ts_headline('dutch', d.title || ' ' || d.body, best.q, :options) "
        "FROM (SELECT id, q, ts_rank(search_fts, q) AS score "
        "      FROM network_search_documents, to_tsquery('dutch', :tsquery) AS q "
        "      WHERE network_id = :network_id AND search_fts @@ q "
        "      ORDER BY score DESC, id DESC LIMIT :limit) AS best "
        "JOIN network_search_documents d ON d.id = best.id "
        "ORDER BY best.score DESC, d.id DESC"
    )
    options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=10, ShortWord=2"
    params = {"tsquery": tsquery, "network_id": network_id, "limit": limit, "options": options}
    return db.session.execute(sql, params).all()
