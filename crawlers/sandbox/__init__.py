"""The sandbox press web: five fictional Occitanie outlets served on 127.0.0.1, and its truth.

This package owns a local, deterministic web of regional French press (a daily, a latin-1
weekly, a business magazine, an agglomeration's press releases, a deputy's blog) that the demo
and every crawl test use, together with the truth of each page it serves (title, dates,
authors, body paragraphs, canonical and alternate URLs, story), so tests compare the archive
against the truth rather than against the code's own output. It imports only the standard
library and ``crawlers.registry``; it never touches the network beyond 127.0.0.1.
"""

from .server import Sandbox, serve_until_stopped
from .site import SandboxSite

__all__ = ["Sandbox", "SandboxSite", "serve_until_stopped"]
