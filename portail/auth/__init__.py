"""Accounts and sessions: passwords, login and lockout, server-side sessions."""
