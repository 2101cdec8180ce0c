"""Administration: users, roles and organisations, the role matrix, the audit log."""
