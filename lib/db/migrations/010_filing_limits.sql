-- Filings that reached the expensive step (decoding their uploads), per client address: the public
-- form's per-client limit counts these (lib/citizen/limits.py). Rows older than a day are pruned
-- as new ones arrive; the address is kept for nothing else. Small by design: no index needed.
CREATE TABLE filing_attempts (
    client       VARCHAR NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL
);
