"""Accounts, the users service's domain: validation, password hashing, tokens,
and what the service sends over RPC and in events. Plain code, no database."""
