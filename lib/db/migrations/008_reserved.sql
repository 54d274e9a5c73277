-- PLACEHOLDER so this branch runs alone: migration numbers must run 1..N, and 008 belongs to
-- another branch. Delete this file when that branch's real 008 is merged.
SELECT 1;
