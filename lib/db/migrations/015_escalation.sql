-- Escalation (issue #15): a complaint past its deadline goes up level by level, department officer ->
-- department head -> DC.
--
-- Officers' mobiles, for the SMS that tells the officer of the new level; set by the admin, optional.
ALTER TABLE users ADD COLUMN mobile VARCHAR;
-- The department an officer heads: the `is_head` flag, kept as the department's code so that moving
-- the officer to another department ends the headship by itself (head only while head_of equals
-- department_code).
ALTER TABLE users ADD COLUMN head_of VARCHAR;

-- One row per complaint and level reached. The primary key is the claim: whichever process inserts
-- the row escalates the complaint to that level (event and SMS in the same transaction); every other
-- process finds it there and does nothing, so a level is reached exactly once.
CREATE TABLE escalations (
    complaint_id    BIGINT NOT NULL,
    level           VARCHAR NOT NULL CHECK (level IN ('department_head', 'dc')),
    escalated_at    TIMESTAMPTZ NOT NULL,
    department_code VARCHAR,                 -- the complaint's department at that moment
    PRIMARY KEY (complaint_id, level)
);
