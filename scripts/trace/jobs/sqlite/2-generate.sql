-- Stage 2: generate params.n orders that reference the loaded tables.
CREATE TABLE orders(id INTEGER PRIMARY KEY, country TEXT, subdivision TEXT, lang TEXT,
                    currency TEXT, amount REAL, note TEXT);
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < (SELECT n FROM params)),
  sizes AS (SELECT (SELECT count(*) FROM country) AS nc, (SELECT count(*) FROM subdivision) AS ns,
                   (SELECT count(*) FROM language) AS nl, (SELECT count(*) FROM currency) AS ncu)
INSERT INTO orders(country, subdivision, lang, currency, amount, note)
  SELECT c.a2, s.code, l.a3, cu.code, (i * 7919 % 100000) / 100.0,
         printf('order %d: %s, %s (%s) paid in %s', i, c.name, s.name, l.name, cu.name)
  FROM seq, sizes
  JOIN country c ON c.rowid = 1 + (i * 31 % nc)
  JOIN subdivision s ON s.rowid = 1 + (i * 17 % ns)
  JOIN language l ON l.rowid = 1 + (i * 13 % nl)
  JOIN currency cu ON cu.rowid = 1 + (i * 7 % ncu);
SELECT 'orders', count(*), round(total(amount), 2) FROM orders;
