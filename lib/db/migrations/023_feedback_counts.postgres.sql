-- Schema version 23 on PostgreSQL: as 023_feedback_counts.sql (the reasons are there), and migration
-- 020's trigger no longer moves a complaint's version in an UPDATE that changes these counts (the
-- portal's only such UPDATE is an answer's, which changes nothing else). An answer changes no status,
-- so it moves no version on DuckDB either (lib.casework.actions.record_feedback): an officer's open
-- page stays current, and "not solved" reopens with the citizen's own version. The analysts' copy
-- still sees the change: the trigger marks the row (changed_xid) as before.
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS feedback_solved INTEGER DEFAULT 0;
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS feedback_partly INTEGER DEFAULT 0;
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS feedback_not_solved INTEGER DEFAULT 0;

CREATE OR REPLACE FUNCTION complaints_version_moves() RETURNS trigger AS $$
BEGIN
    IF NEW.version IS NOT DISTINCT FROM OLD.version
       AND (NEW.feedback_solved, NEW.feedback_partly, NEW.feedback_not_solved)
           IS NOT DISTINCT FROM (OLD.feedback_solved, OLD.feedback_partly, OLD.feedback_not_solved) THEN
        NEW.version := OLD.version + 1;
    END IF;
    NEW.changed_xid := pg_current_xact_id();
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

UPDATE complaints SET
    feedback_solved = f.solved,
    feedback_partly = f.partly,
    feedback_not_solved = f.not_solved
FROM (
    SELECT complaint_id,
           count(*) FILTER (WHERE answer = 'solved') AS solved,
           count(*) FILTER (WHERE answer = 'partly') AS partly,
           count(*) FILTER (WHERE answer = 'not_solved') AS not_solved
    FROM feedback
    GROUP BY complaint_id
) f
WHERE f.complaint_id = complaints.id;
