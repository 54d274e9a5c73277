-- Schema version 4: the working calendar behind deadlines. One row per day with a running count
-- of working days (Sundays, Haryana's holidays and the admin's local holidays are not working
-- days), so "more than N working days since X" is a lookup, not a loop, even over a million
-- complaints. lib.deadlines rebuilds it from the holidays package and the holidays table.
CREATE TABLE IF NOT EXISTS working_calendar (
    day         DATE PRIMARY KEY,
    is_working  BOOLEAN NOT NULL,
    working_seq INTEGER NOT NULL      -- working days from the calendar's first day up to and including this one
);
