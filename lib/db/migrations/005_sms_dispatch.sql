-- Schema version 5: the SMS dispatcher. A message may wait until a time (reminders), is retried
-- with backoff after a failure, and records the gateway's message id once sent.
ALTER TABLE sms_outbox ADD COLUMN IF NOT EXISTS send_after TIMESTAMPTZ;       -- not before this (reminders)
ALTER TABLE sms_outbox ADD COLUMN IF NOT EXISTS next_attempt_at TIMESTAMPTZ;  -- backoff after a failure
ALTER TABLE sms_outbox ADD COLUMN IF NOT EXISTS gateway_message_id VARCHAR;
ALTER TABLE sms_outbox ADD COLUMN IF NOT EXISTS claimed_until TIMESTAMPTZ;    -- a dispatcher is sending it
