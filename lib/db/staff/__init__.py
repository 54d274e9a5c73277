"""SQL of the staff area: users, audit trail, administration."""
