"""Nameko services of the blog platform: users, blog and storage."""
