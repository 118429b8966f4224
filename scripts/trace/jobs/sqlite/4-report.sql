-- Stage 4: reports: joins, grouping, window functions, JSON aggregates, LIKE.
SELECT c.name, count(*) AS n, round(sum(o.amount), 2), round(avg(o.amount), 2)
  FROM orders o JOIN country c ON c.a2 = o.country
  GROUP BY c.name ORDER BY 3 DESC LIMIT 10;
SELECT count(*), round(total(amount), 2) FROM (
  SELECT country, amount, rank() OVER (PARTITION BY country ORDER BY amount DESC) AS r FROM orders)
  WHERE r <= 3;
SELECT country, length(json_group_array(DISTINCT lang)) FROM orders GROUP BY country ORDER BY 2 DESC LIMIT 5;
SELECT count(*) FROM orders WHERE note LIKE '%land%';
SELECT l.scope, count(DISTINCT o.lang), round(avg(o.amount), 2)
  FROM orders o JOIN language l ON l.a3 = o.lang GROUP BY l.scope;
SELECT s.type, count(*) FROM orders o JOIN subdivision s ON s.code = o.subdivision
  GROUP BY s.type ORDER BY 2 DESC LIMIT 5;
SELECT length(group_concat(upper(name), ';')) FROM (SELECT name FROM subdivision ORDER BY name);
