-- Stage 1: load Debian's iso-codes JSON (countries, subdivisions, languages,
-- currencies) into tables with SQLite's JSON functions (at most params.lim rows
-- per table; -1: all).
CREATE TABLE country AS
  SELECT value->>'alpha_2' AS a2, value->>'alpha_3' AS a3, value->>'name' AS name,
         value->>'numeric' AS num, coalesce(value->>'official_name', value->>'name') AS official
  FROM json_each(readfile('/usr/share/iso-codes/json/iso_3166-1.json'), '$."3166-1"')
  LIMIT (SELECT lim FROM params);
CREATE TABLE subdivision AS
  SELECT value->>'code' AS code, substr(value->>'code', 1, 2) AS country, value->>'name' AS name,
         value->>'type' AS type, value->>'parent' AS parent
  FROM json_each(readfile('/usr/share/iso-codes/json/iso_3166-2.json'), '$."3166-2"')
  LIMIT (SELECT lim FROM params);
CREATE TABLE language AS
  SELECT value->>'alpha_3' AS a3, value->>'name' AS name, value->>'scope' AS scope,
         value->>'type' AS type, value->>'alpha_2' AS a2
  FROM json_each(readfile('/usr/share/iso-codes/json/iso_639-3.json'), '$."639-3"')
  LIMIT (SELECT lim FROM params);
CREATE TABLE currency AS
  SELECT value->>'alpha_3' AS code, value->>'name' AS name, value->>'numeric' AS num
  FROM json_each(readfile('/usr/share/iso-codes/json/iso_4217.json'), '$."4217"')
  LIMIT (SELECT lim FROM params);
SELECT 'loaded', (SELECT count(*) FROM country), (SELECT count(*) FROM subdivision),
       (SELECT count(*) FROM language), (SELECT count(*) FROM currency);
