-- Schema version 8: per-complaint facts on the complaint row, so that no page has to scan the whole
-- history to count a complaint's reopenings and hearings or to find when it was heard (issue #14).
-- Each is kept by the lifecycle action that changes it, in the action's own transaction; the
-- history stays the record, these are its summary. accepted_at and resolved_at (version 3) are
-- filled below where the history knows them and the row does not.
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS reopen_count INTEGER DEFAULT 0;         -- "not solved" reopenings
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS hearings_held INTEGER DEFAULT 0;        -- hearing_scheduled -> heard
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS hearings_called_off INTEGER DEFAULT 0;  -- cancelled by the office
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS hearings_no_show INTEGER DEFAULT 0;     -- the citizen did not come
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS heard_at TIMESTAMPTZ;                   -- the first hearing held

-- The backfill counts exactly what lib.db.analytics counts from the history: real changes only (an
-- officer's internal remark and the citizen's feedback repeat the statuses of the action beside
-- them, a forward keeps the status); a reopening is the 'reopened' entry or any way back from
-- resolved or closed to an open status; a hearing called off is a way back from hearing_scheduled
-- to accepted other than the no-show entry. resolved_at only for complaints solved now: a reopening
-- clears it.
UPDATE complaints SET
    reopen_count = h.reopens,
    hearings_held = h.held,
    hearings_called_off = h.called_off,
    hearings_no_show = h.no_show,
    heard_at = h.heard_at,
    accepted_at = coalesce(complaints.accepted_at, h.accepted_at),
    resolved_at = CASE WHEN complaints.status IN ('resolved', 'closed')
                       THEN coalesce(complaints.resolved_at, h.resolved_at) ELSE complaints.resolved_at END
FROM (
    SELECT e.complaint_id,
           count(*) FILTER (WHERE e.event = 'reopened'
                            OR (e.from_status IN ('resolved', 'closed') AND e.to_status IN (
                                'submitted', 'under_scrutiny', 'accepted', 'hearing_scheduled', 'heard',
                                'with_department', 'action_reported'))) AS reopens,
           count(*) FILTER (WHERE e.from_status = 'hearing_scheduled' AND e.to_status = 'heard') AS held,
           count(*) FILTER (WHERE e.from_status = 'hearing_scheduled' AND e.to_status = 'accepted'
                            AND e.event <> 'hearing_no_show') AS called_off,
           count(*) FILTER (WHERE e.event = 'hearing_no_show') AS no_show,
           min(e.happened_at) FILTER (WHERE e.to_status = 'heard') AS heard_at,
           min(e.happened_at) FILTER (WHERE e.to_status = 'accepted'
                                      AND e.from_status <> 'hearing_scheduled') AS accepted_at,
           max(e.happened_at) FILTER (WHERE e.to_status = 'resolved') AS resolved_at
    FROM complaint_events e
    WHERE e.event <> 'remark' AND e.from_status IS DISTINCT FROM e.to_status
    GROUP BY e.complaint_id
) h
WHERE h.complaint_id = complaints.id;
