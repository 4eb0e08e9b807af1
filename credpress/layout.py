"""Where everything lives in the output folder, as paths relative to base_url.

One place decides every path, so pages, JSON and links never disagree. Page
paths end with ``/`` and are written as ``<path>index.html``.
"""

from __future__ import annotations

from .did import did_document_path, issuer_folder
from .model import Site


class Layout:
    def __init__(self, site: Site):
        self.site = site

    def url(self, path: str) -> str:
        """Absolute URL of an output path."""
        return self.site.base_url + path

    home = ""
    verify_page = "verify/"

    @staticmethod
    def credential_json(credential_id: str) -> str:
        return f"credentials/{credential_id}.json"

    @staticmethod
    def credential_page(credential_id: str) -> str:
        return f"credentials/{credential_id}/"

    @staticmethod
    def achievement_json(slug: str) -> str:
        return f"achievements/{slug}.json"

    @staticmethod
    def achievement_page(slug: str) -> str:
        return f"achievements/{slug}/"

    @staticmethod
    def issuer_page(slug: str) -> str:
        return issuer_folder(slug)

    @staticmethod
    def issuer_profile_json(slug: str) -> str:
        return issuer_folder(slug) + "profile.json"

    @staticmethod
    def status_list(slug: str) -> str:
        """The issuer's revocation list (one list of 131,072 entries per issuer)."""
        return issuer_folder(slug) + "status/revocation-1.json"

    def did_document(self, slug: str) -> str:
        return did_document_path(self.site, slug)

    @staticmethod
    def image(rel: str) -> str:
        return rel

    @staticmethod
    def asset(name: str) -> str:
        return f"assets/{name}"


def relative(from_page: str, to_path: str) -> str:
    """A link from the page at *from_page* (a folder path) to *to_path*, relative,
    so the site works under any base path and from a local preview."""
    depth = from_page.count("/")
    return "../" * depth + to_path if (depth or to_path) else "./"
