-- Stage 3: indexes and statistics.
CREATE INDEX orders_country ON orders(country);
CREATE INDEX orders_amount ON orders(amount);
CREATE INDEX orders_lang ON orders(lang, amount);
CREATE INDEX subdivision_country ON subdivision(country);
CREATE UNIQUE INDEX country_a2 ON country(a2);
ANALYZE;
