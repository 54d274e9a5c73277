-- The analysts' DuckDB copy (lib/analytics/replica.py) asks before each computation of the figures
-- whether anything changed: the count and the sum of the complaints' versions, then which (id, version)
-- differ from its own. This index lets PostgreSQL answer both from the index alone, not from the
-- whole rows (~500 bytes each). DuckDB has no copy and needs nothing (019_analytics_copy.sql).
CREATE INDEX IF NOT EXISTS complaints_id_version ON complaints (id, version);

-- The copy sees a change only through the version. The portal's one UPDATE of complaints
-- (lib/db/casework/cases.py) raises it; this makes any other writer's change raise it too (a
-- correction by hand in psql, a future script), so no change can hide from the analysts' figures.
CREATE OR REPLACE FUNCTION complaints_version_moves() RETURNS trigger AS $$
BEGIN
    IF NEW.version IS NOT DISTINCT FROM OLD.version THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS complaints_version_moves ON complaints;
CREATE TRIGGER complaints_version_moves BEFORE UPDATE ON complaints
    FOR EACH ROW EXECUTE FUNCTION complaints_version_moves();
