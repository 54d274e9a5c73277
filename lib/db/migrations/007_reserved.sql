-- PLACEHOLDER so this branch runs alone: migration numbers must run 1..N, and 007 belongs to
-- another branch. Delete this file when that branch's real 007 is merged.
SELECT 1;
