"""The blog in the browser: server-rendered pages over the users and blog services."""
