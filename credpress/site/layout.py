"""Where everything lives in the output folder, as paths relative to base_url.

One place decides every output path and every URL built from one (including
each issuer's did:web DID, which is derived from its folder's URL), so pages,
JSON and links never disagree. Page paths end with ``/`` and are written as
``<path>index.html``.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ..content.model import Site
from ..vc.did import did_document_url, did_from_url

_STATUS_LIST = re.compile(r"/status/revocation-([1-9][0-9]{0,5})\.json\Z")


class Layout:
    """Output paths and URLs of one site."""

    def __init__(self, site: Site):
        self.site = site

    def url(self, path: str) -> str:
        """Absolute URL of an output path."""
        return self.site.base_url + path

    home = ""
    verify_page = "verify/"
    dashboard = "dashboard/"  # the issuer dashboard (counts only)

    @staticmethod
    def credential_json(credential_id: str) -> str:
        """The credential's JSON (its ``id`` is this path's URL)."""
        return f"credentials/{credential_id}.json"

    @staticmethod
    def credential_page(credential_id: str) -> str:
        """The credential's badge page."""
        return f"credentials/{credential_id}/"

    @staticmethod
    def learner_record_json(record_id: str) -> str:
        """An opted-in learner's signed ClrCredential (its ``id``); the id is a UUID, never the email."""
        return f"records/{record_id}.json"

    @staticmethod
    def learner_record_page(record_id: str) -> str:
        """An opted-in learner's record page."""
        return f"records/{record_id}/"

    @staticmethod
    def credential_qr(credential_id: str) -> str:
        """The QR code (SVG) that leads to the credential's badge page, beside the page."""
        return f"credentials/{credential_id}/qr.svg"

    @staticmethod
    def achievement_json(slug: str) -> str:
        """The achievement's JSON (its ``id``)."""
        return f"achievements/{slug}.json"

    @staticmethod
    def achievement_page(slug: str) -> str:
        """The achievement's page (its criteria ``id``)."""
        return f"achievements/{slug}/"

    @staticmethod
    def pathway_svg(slug: str) -> str:
        """The diagram of a stack's pathway, beside its page."""
        return f"achievements/{slug}/pathway.svg"

    @staticmethod
    def issuer_page(slug: str) -> str:
        """The issuer's folder: its page, profile, DID document and status lists."""
        return f"issuers/{slug}/"

    def issuer_profile_json(self, slug: str) -> str:
        """The issuer's OB Profile JSON."""
        return self.issuer_page(slug) + "profile.json"

    def status_list(self, slug: str, number: int = 1) -> str:
        """The issuer's revocation list *number* (from 1; 131,072 entries each, content/status_index.py):
        ``status/revocation-<number>.json``, so list 1 keeps the one URL every issuer had at first."""
        return self.issuer_page(slug) + f"status/revocation-{number}.json"

    @staticmethod
    def status_list_number(url: str) -> int | None:
        """The number of the status list at *url* (a URL :meth:`status_list` made), None if it is none."""
        match = _STATUS_LIST.search(url)
        return int(match.group(1)) if match else None

    def issuer_did(self, slug: str) -> str:
        """The issuer's did:web DID: its folder's URL, so it resolves under any base path
        and a second issuer never changes the first one's DID."""
        return did_from_url(self.url(self.issuer_page(slug)))

    def did_document(self, slug: str) -> str:
        """Path of the issuer's DID document, derived from the did:web resolution rule."""
        url = did_document_url(self.issuer_did(slug))
        base = self.site.base_url
        if not url.startswith(base):
            raise ValueError(f"DID document {url} is not under base_url {base}")
        return url[len(base) :]

    @staticmethod
    def image_file(rel: str) -> str:
        """Output path of a content image: the same path as under content/."""
        return rel

    @staticmethod
    def image(rel: str) -> str:
        """URL path of a content image: its file path, percent-encoded where a URL needs it
        (RFC 3986 §2.1), so "badge art #1.png" is "badge%20art%20%231.png". ':' is encoded
        too, so a relative link to it never reads as a scheme (RFC 3986 §4.2)."""
        return quote(rel, safe="/!$&'()*+,;=@~")

    @staticmethod
    def preview(kind: str, slug: str, media_type: str = "image/png") -> str:
        """A link-preview image (og:image): one for the site (kind "site"), one per issuer
        ("issuers") and one per achievement ("achievements"), never one per credential."""
        extension = ".jpg" if media_type == "image/jpeg" else ".png"
        return "previews/site" + extension if kind == "site" else f"previews/{kind}/{slug}{extension}"

    @staticmethod
    def asset(name: str) -> str:
        """A stylesheet or script."""
        return f"assets/{name}"


def relative(from_page: str, to_path: str) -> str:
    """A link from the page at *from_page* (a folder path) to *to_path*, relative,
    so the site works under any base path and from a local preview.

    The shortest such link: folders the two paths share are not climbed out of and
    back into (a badge page links its own QR code as ``qr.svg``, its credential as
    ``../<id>.json``), which saves about 100 bytes on every badge page.
    """
    here = from_page.split("/")[:-1]
    there = to_path.split("/")
    shared = 0
    while shared < len(here) and shared < len(there) - 1 and here[shared] == there[shared]:
        shared += 1
    return "../" * (len(here) - shared) + "/".join(there[shared:]) or "./"
