"""One search box for both compartments, done by the database.

`models` holds the search entries (the searchable text of every case, kept current by
database triggers), `schema` the per-database DDL (PostgreSQL full text and trigram indexes,
SQLite FTS5), `service` the search itself and `highlight` the marking of what matched.
"""
