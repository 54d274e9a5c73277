-- Schema version 2: a double click or resubmit of the same form files one complaint.
-- Each rendered form carries a random token; a second submit with it finds the first complaint.
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS submission_token VARCHAR;
CREATE UNIQUE INDEX IF NOT EXISTS complaints_submission_token ON complaints (submission_token);
