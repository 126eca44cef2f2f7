"""Tools for whoever runs the blog, installed as console scripts: ``blogadmin``
(backups, restore, stats, integrity) and ``blog-healthcheck`` (containers)."""
