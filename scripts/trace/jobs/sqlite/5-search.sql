-- Stage 5: a full-text index (FTS5) over every name and order note, and searches.
CREATE VIRTUAL TABLE names USING fts5(name, kind);
INSERT INTO names SELECT name, 'language' FROM language;
INSERT INTO names SELECT name, 'subdivision' FROM subdivision;
INSERT INTO names SELECT official, 'country' FROM country;
INSERT INTO names SELECT note, 'order' FROM orders;
SELECT kind, count(*) FROM names WHERE names MATCH 'north* OR south*' GROUP BY kind;
SELECT count(*) FROM names WHERE names MATCH 'island NOT order';
SELECT count(*) FROM names WHERE names MATCH '"paid in" AND euro';
