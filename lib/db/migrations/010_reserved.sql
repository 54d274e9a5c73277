-- PLACEHOLDER so this branch runs alone: migration numbers must run 1..N, and 010 belongs to
-- another branch. Delete this file when that branch's real 010 is merged.
SELECT 1;
