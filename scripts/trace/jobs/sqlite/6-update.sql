-- Stage 6: updates, deletes, a rebuild of the database.
UPDATE orders SET amount = amount * 1.1
  WHERE country IN (SELECT a2 FROM country WHERE name LIKE 'S%');
DELETE FROM orders WHERE id % 3 = 0;
DELETE FROM names WHERE kind = 'order' AND rowid % 2 = 0;
VACUUM;
SELECT 'final', count(*), round(total(amount), 2) FROM orders;
