-- The analysts' DuckDB copy (lib/analytics/replica.py) must know when its figures may be out of date.
-- Asking PostgreSQL each time (migration 019's count and sum of versions over every complaint) cost
-- ~0.36 s of server time per analytics view at a million complaints. Instead every statement that
-- changes what the copy holds tells the copy so: NOTIFY is delivered only when the transaction
-- commits, to every portal process that LISTENs, and repeats within one transaction are folded into
-- one. A process whose listening connection was lost looks every time until it listens again, so a
-- missed notification can delay nothing. DuckDB has no copy (020_analytics_changes.sql).
CREATE OR REPLACE FUNCTION analytics_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('esachivalaya_analytics', '');
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['complaints', 'directions', 'feedback', 'appeals'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_analytics_changed', t);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION analytics_changed()', t || '_analytics_changed', t);
    END LOOP;
END
$$;

-- Which complaints changed since the copy last looked: each row carries the transaction that last
-- wrote it. The copy remembers the snapshot it read (pg_current_snapshot()); next time the rows
-- whose transaction was not yet committed in that snapshot are exactly those filed or changed since,
-- found by an index range from that snapshot's oldest running transaction (a handful of rows, where
-- reading every complaint's (id, version) took ~3 s at a million complaints). xid8 is 64 bits wide:
-- it never wraps around. Existing rows get the migrating transaction's id; the copy's first look
-- copies everything anyway.
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX IF NOT EXISTS complaints_changed_xid ON complaints (changed_xid);

-- Migration 019's trigger, which already sees every UPDATE of a complaint, marks it as well.
CREATE OR REPLACE FUNCTION complaints_version_moves() RETURNS trigger AS $$
BEGIN
    IF NEW.version IS NOT DISTINCT FROM OLD.version THEN
        NEW.version := OLD.version + 1;
    END IF;
    NEW.changed_xid := pg_current_xact_id();
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

-- Migration 019's (id, version) index served the copy's old way of finding changes; nothing reads it now.
DROP INDEX IF EXISTS complaints_id_version;
