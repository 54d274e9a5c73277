-- Schema version 11 on PostgreSQL (011_places_lgd_and_audit_codes.sql for DuckDB; PostgreSQL has no
-- regexp_extract: substring(... from pattern) is the same first match).
--
-- Places: the LGD sub-tehsil of a village (Manethi, Dharuhera, Palhawas, Dahina, Nahar), which the
-- first list folded into Rewari, Bawal and Kosli; and whether LGD puts the place in Rewari district
-- at all (Neola and Mubarakpur are in Jhajjar in LGD 2022: kept for complaints already filed, no
-- longer offered on the form). The values come from data/reference/rewari_locations.csv, which
-- lib/db/reference.py reads on every start; only the two Jhajjar villages are marked here, so a
-- database that is never restarted is already right about them.
ALTER TABLE places ADD COLUMN subtehsil_lgd INTEGER;
ALTER TABLE places ADD COLUMN in_district BOOLEAN DEFAULT true;
UPDATE places SET in_district = (lgd_code NOT IN (61902, 61903));

-- The audit trail is read by the IT cell, who never reads complaint content. Entries about a
-- complaint used to carry the officer's remark after the status move; keep the status move only.
UPDATE audit_log SET detail = nullif(substring(detail from '^[a-z_]+ -> [a-z_]+'), '')
 WHERE action LIKE 'complaint.%';
