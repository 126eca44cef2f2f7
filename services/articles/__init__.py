"""Articles and comments, the blog service's domain: validation, slugs, who may
change what, and what the service sends over RPC and in events. Plain code, no database."""
