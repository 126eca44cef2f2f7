"""Helpers only the web tier (the gateway and the frontend) uses."""
