"""The Nameko services of the blog platform: users, blog and storage, and their own packages.

``common`` is imported first, so a service's modules import the pinned stack with its
deprecation notices silenced (see ``common/__init__.py``)."""

import common  # noqa: F401 - imported for its effect: the warning filters
