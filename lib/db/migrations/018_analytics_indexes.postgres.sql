-- PostgreSQL reads whole rows (a complaint with its description is ~500 bytes), so the analytics
-- page's filters need indexes to read only the period's and the slice's complaints: the period
-- (filed_at), a tehsil or a department within it, and the open complaints of a department (the DC's
-- queue and the overdue count). Measured with `python -m lib.ops.bench --engine postgresql` (README,
-- "Scaling out"). DuckDB needs none (018_analytics_indexes.sql).
CREATE INDEX IF NOT EXISTS complaints_filed_at ON complaints (filed_at);
CREATE INDEX IF NOT EXISTS complaints_tehsil_filed_at ON complaints (tehsil_lgd, filed_at);
CREATE INDEX IF NOT EXISTS complaints_department_filed_at ON complaints (department_code, filed_at);
CREATE INDEX IF NOT EXISTS complaints_status_department ON complaints (status, department_code);
-- The overdue rule's late directions: those not yet reported, by complaint.
CREATE INDEX IF NOT EXISTS directions_open_by_complaint ON directions (complaint_id) WHERE reported_at IS NULL;
