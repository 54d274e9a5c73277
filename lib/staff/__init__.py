"""Staff: roles and pages, accounts, sign-in, the audit trail and administration."""
