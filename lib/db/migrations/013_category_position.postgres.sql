-- The categories' order on the form and the analytics page is the reference file's: kept as a
-- number (1 = the file's first) instead of the rows' storage order (ctid here, rowid on DuckDB),
-- which an UPDATE or a restore may change. Rows already there are numbered in their storage order.
ALTER TABLE categories ADD COLUMN position INTEGER;
UPDATE categories SET position = r.n
FROM (SELECT code, row_number() OVER (ORDER BY ctid) AS n FROM categories) r
WHERE categories.code = r.code;
