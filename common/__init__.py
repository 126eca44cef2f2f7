"""What every process of the blog imports: errors, configuration, timestamps, the wire's
JSON, the broker's message options and connection errors.

Importing the package silences two deprecation notices of the pinned stack that
say nothing to the people running it (the admin CLI and scripts printed ten
lines of them before every answer): eventlet's "Eventlet is deprecated", which
nameko 2.14 needs, and setuptools' "pkg_resources is deprecated", which nameko's
CLI imports (setuptools is pinned below the release that removes it). Every
process imports ``common``, so every process is quiet.
"""

import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
