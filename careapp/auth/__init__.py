"""Local accounts: password hashing, lockout, roles and the audit log."""
