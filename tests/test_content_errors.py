"""Bad content: exact `path:line: field: message`, all at once, exit 1, output untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SMALL

from credpress.cli import main


def _replace(rel: str, old: str, new: str) -> dict[str, str]:
    text = (SMALL / rel).read_text("utf-8")
    assert old in text, f"fixture {rel} lacks {old!r}"
    return {rel: text.replace(old, new, 1)}


def _award(body: str) -> dict[str, str]:
    return {"awards/more.yaml": body}


CASES = {
    "yaml-syntax": (
        {"achievements/alpha.yaml": "issuer: acme\nname: [unclosed\n"},
        ["content/achievements/alpha.yaml:3: YAML syntax error: did not find expected ',' or ']'"],
    ),
    "missing-required": (
        _replace("achievements/alpha.yaml", "name: Alpha Skills\n", ""),
        ["content/achievements/alpha.yaml:1: name: required field is missing"],
    ),
    "unknown-achievement": (
        _replace(
            "awards/cohort.yaml",
            "achievement: beta\n  recipient:\n    name: Grace",
            "achievement: gamma\n  recipient:\n    name: Grace",
        ),
        ["content/awards/cohort.yaml:26: [4].achievement: unknown achievement 'gamma'"],
    ),
    "impossible-date": (
        _replace("awards/cohort.yaml", "2026-05-01", "2026-02-30"),
        ["content/awards/cohort.yaml:31: [4].awarded: '2026-02-30' is not a valid date or date-time (YYYY-MM-DD)"],
    ),
    "out-of-range-date": (
        _replace("awards/cohort.yaml", "2026-05-01", "1066-10-14"),
        ["content/awards/cohort.yaml:31: [4].awarded: year 1066 is out of range (1970-2200)"],
    ),
    "invalid-email": (
        _replace(
            "awards/cohort.yaml",
            "email: ada@example.org\n  awarded: 2026-03-01",
            "email: ada-at-example.org\n  awarded: 2026-03-01",
        ),
        ["content/awards/cohort.yaml:4: [0].recipient.email: not an email address"],
    ),
    "duplicate-award": (
        _award(
            "- achievement: alpha\n  recipient:\n    name: Ada L.\n    email: ADA@example.org \n  awarded: 2026-03-01\n"
        ),
        [
            "content/awards/more.yaml:1: [0]: duplicate award: same achievement, recipient and date as content/awards/cohort.yaml:1"
        ],
    ),
    "image-missing": (
        _replace("achievements/beta.yaml", "images/badge-b.png", "images/nope.png"),
        ["content/achievements/beta.yaml:5: image: image file images/nope.png not found"],
    ),
    "image-outside": (
        _replace("achievements/beta.yaml", "images/badge-b.png", "../../etc/passwd"),
        ["content/achievements/beta.yaml:5: image: must be a path inside the content folder"],
    ),
    "image-not-image": (
        _replace("achievements/beta.yaml", "images/badge-b.png", "site.yaml"),
        ["content/achievements/beta.yaml:5: image: site.yaml is not a PNG, JPEG or SVG image"],
    ),
    "base-url-http": (
        {"site.yaml": "base_url: http://example.test/\n"},
        ["content/site.yaml:1: base_url: must be an https URL (verifiers require TLS for did:web)"],
    ),
    "python-tag": (
        {"site.yaml": 'base_url: !!python/object/apply:os.system ["echo hi"]\n'},
        ["content/site.yaml:1: YAML tag tag:yaml.org,2002:python/object/apply:os.system is not allowed"],
    ),
    "alias-bomb": (
        {
            "site.yaml": "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
            + "".join(f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdef", "bcdefg"))
        },
        ["content/site.yaml:1: document has more than 200000 values (alias expansion?)"],
    ),
    "duplicate-key": (
        {"site.yaml": "base_url: https://a.example/\nbase_url: https://b.example/\n"},
        ["content/site.yaml:2: duplicate key 'base_url'"],
    ),
    "two-recipient-ids": (
        _award(
            "- achievement: alpha\n  recipient:\n    name: X\n    email: x@example.org\n    did: did:example:x\n  awarded: 2026-03-01\n"
        ),
        ["content/awards/more.yaml:2: [0].recipient: give exactly one of email, email_hash (with salt) or did"],
    ),
    "control-character": (
        _award(
            '- achievement: alpha\n  recipient:\n    name: "X\\u0007Y"\n    email: x@example.org\n  awarded: 2026-03-01\n'
        ),
        ["content/awards/more.yaml:3: [0].recipient.name: contains control characters"],
    ),
    "zero-width": (
        _award(
            '- achievement: alpha\n  recipient:\n    name: "X\\u200bY"\n    email: x@example.org\n  awarded: 2026-03-01\n'
        ),
        ["content/awards/more.yaml:3: [0].recipient.name: contains an invisible character (U+200B ZERO WIDTH SPACE)"],
    ),
    "awards-not-a-list": (
        _award("achievement: alpha\n"),
        ["content/awards/more.yaml:1: an awards file must be a list of awards"],
    ),
    "bad-achievement-type": (
        _replace("achievements/alpha.yaml", "MicroCredential", "Microcredential"),
        [
            "content/achievements/alpha.yaml:8: type: 'Microcredential' is not one of the allowed values (did you mean 'MicroCredential'?)"
        ],
    ),
    "wrong-type": (
        _replace("achievements/alpha.yaml", "credits: 1", "credits: lots"),
        ["content/achievements/alpha.yaml:10: credits: must be a number, not text"],
    ),
    "expires-before-award": (
        _replace("awards/cohort.yaml", "expires: 2027-01-01", "expires: 2026-01-01"),
        ["content/awards/cohort.yaml:32: [4].expires: must be after the award date"],
    ),
    "unknown-stack-part": (
        _replace("achievements/cert.yaml", "[alpha, beta]", "[alpha, gamma]"),
        ["content/achievements/cert.yaml:7: requires[1]: unknown achievement 'gamma'"],
    ),
    "bad-duration": (
        _replace("achievements/beta.yaml", "P2Y", "2 years"),
        [
            "content/achievements/beta.yaml:12: expires_after: not an ISO 8601 duration of years, months, weeks or days (e.g. P2Y, P18M)"
        ],
    ),
    "javascript-url": (
        _award(
            "- achievement: alpha\n  recipient:\n    name: X\n    email: x@example.org\n  awarded: 2026-03-01\n"
            "  evidence:\n    - name: E\n      url: javascript:alert(1)\n"
        ),
        ["content/awards/more.yaml:8: [0].evidence[0].url: must be an http(s) URL"],
    ),
    "invalid-did": (
        _award("- achievement: alpha\n  recipient:\n    name: X\n    did: not-a-did\n  awarded: 2026-03-01\n"),
        ["content/awards/more.yaml:4: [0].recipient.did: not a DID (did:method:identifier)"],
    ),
    "hash-without-salt": (
        _award(
            "- achievement: alpha\n  recipient:\n    name: X\n    email_hash: sha256$"
            + "ab" * 32
            + "\n  awarded: 2026-03-01\n"
        ),
        ["content/awards/more.yaml:2: [0].recipient.salt: email_hash and salt go together"],
    ),
    "slug-file-name": (
        {"achievements/Bad Name.yaml": "issuer: acme\n"},
        [
            "content/achievements/Bad Name.yaml: file name 'Bad Name' must be a slug: lower-case letters, digits and hyphens"
        ],
    ),
}


SVG_OK = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="url(#g)"/></svg>'
)


def _BETA_SVG(svg):  # noqa: N802 (reads like the other case builders)
    return {
        **_replace("achievements/beta.yaml", "images/badge-b.png", "images/art.svg"),
        "images/art.svg": svg,
    }


CASES.update(
    {
        "svg-script": (
            _BETA_SVG('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
            [
                "content/achievements/beta.yaml:5: image: images/art.svg SVG element <script> is not allowed (only drawing elements: no script, animation or embedded documents)"
            ],
        ),
        "svg-event-handler": (
            _BETA_SVG('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'),
            [
                "content/achievements/beta.yaml:5: image: images/art.svg SVG attribute 'onload' on <svg> is an event handler (script is not allowed)"
            ],
        ),
        "svg-external-image": (
            _BETA_SVG(
                '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="https://tracker.example/p.png"/></svg>'
            ),
            [
                "content/achievements/beta.yaml:5: image: images/art.svg SVG <image> refers to another file (https://tracker.example/p.png); only '#id' inside the image or an embedded data:image/png or data:image/jpeg is allowed"
            ],
        ),
        "svg-entity": (
            _BETA_SVG(
                '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
            ),
            [
                "content/achievements/beta.yaml:5: image: images/art.svg SVG has a DOCTYPE (document type declarations and entities are not allowed)"
            ],
        ),
        "svg-not-svg": (
            _BETA_SVG("<html><body>hi</body></html>"),
            [
                "content/achievements/beta.yaml:5: image: images/art.svg is not an SVG image (the root element is not <svg> in the SVG namespace)"
            ],
        ),
        "png-corrupt": (
            {
                **_replace("achievements/beta.yaml", "images/badge-b.png", "images/broken.png"),
                "images/broken.png": "\x89PNG\r\n\x1a\nthis is not really a png",
            },
            ["content/achievements/beta.yaml:5: image: images/broken.png is not a readable PNG or JPEG image"],
        ),
        "deep-nesting": (
            {"site.yaml": "base_url: https://a.example/\ntitle: " + "[" * 40 + "]" * 40 + "\n"},
            ["content/site.yaml:2: nested deeper than 32 levels"],
        ),
        "oversized-field": (
            _replace("achievements/alpha.yaml", "name: Alpha Skills", "name: " + "A" * 201),
            ["content/achievements/alpha.yaml:2: name: is longer than 200 characters"],
        ),
        "oversized-file": (
            {"awards/huge.yaml": "# " + "x" * (2 * 1024 * 1024) + "\n"},
            ["content/awards/huge.yaml: file is larger than 2097152 bytes"],
        ),
        "not-utf8": ({"awards/latin1.yaml": None}, ["content/awards/latin1.yaml:2: file is not valid UTF-8"]),
        "data-url-evidence": (
            _award(
                "- achievement: alpha\n  recipient:\n    name: X\n    email: x@example.org\n  awarded: 2026-03-01\n"
                "  evidence:\n    - name: E\n      url: data:text/html;base64,PHNjcmlwdD4=\n"
            ),
            ["content/awards/more.yaml:8: [0].evidence[0].url: must be an http(s) URL"],
        ),
        "base-url-ip": (
            {"site.yaml": "base_url: https://192.168.1.10/badges/\n"},
            ["content/site.yaml:1: base_url: must use a host name, not an IP address (did:web)"],
        ),
    }
)

A = (SMALL / "achievements/alpha.yaml").read_text("utf-8")
ISSUER = (SMALL / "issuers/acme.yaml").read_text("utf-8")

base = "- achievement: alpha\n  recipient:\n    name: X\n    email: x@example.org\n  awarded: 2026-03-01\n"
aw = _award
CASES.update(
    {
        "name-number": (
            {"achievements/alpha.yaml": A.replace("name: Alpha Skills", "name: 42")},
            ["content/achievements/alpha.yaml:2: name: must be text, not a number"],
        ),
        "name-list": (
            {"achievements/alpha.yaml": A.replace("name: Alpha Skills", "name: [a, b]")},
            ["content/achievements/alpha.yaml:2: name: must be text, not a list"],
        ),
        "recipient-string": (
            aw("- achievement: alpha\n  recipient: x@example.org\n  awarded: 2026-03-01\n"),
            ["content/awards/more.yaml:2: [0].recipient: must be a mapping, not text"],
        ),
        "award-item-string": (
            aw("- just a string\n"),
            ["content/awards/more.yaml:1: [0]: must be a mapping, not text"],
        ),
        "missing-recipient": (
            aw("- achievement: alpha\n  awarded: 2026-03-01\n"),
            ["content/awards/more.yaml:1: [0].recipient: required field is missing"],
        ),
        "missing-awarded": (
            aw("- achievement: alpha\n  recipient:\n    name: X\n    email: x@example.org\n"),
            ["content/awards/more.yaml:1: [0].awarded: required field is missing"],
        ),
        "missing-issuer-field": (
            {"achievements/alpha.yaml": A.replace("issuer: acme\n", "")},
            ["content/achievements/alpha.yaml:1: issuer: required field is missing"],
        ),
        "unknown-issuer": (
            {"achievements/alpha.yaml": A.replace("issuer: acme", "issuer: nobody")},
            [
                "content/achievements/alpha.yaml:1: issuer: unknown issuer 'nobody'",
                "content/achievements/cert.yaml:7: requires[0]: 'alpha' belongs to issuer 'nobody', which does not exist",
            ],
        ),
        "duplicate-slug": (
            {"achievements/alpha.yml": A},
            ["content/achievements/alpha.yml: duplicate slug 'alpha' (also content/achievements/alpha.yaml)"],
        ),
        "stack-self": (
            {
                "achievements/cert.yaml": (SMALL / "achievements/cert.yaml")
                .read_text("utf-8")
                .replace("[alpha, beta]", "[alpha, cert]")
            },
            ["content/achievements/cert.yaml:7: requires[1]: a stack cannot require itself ('cert')"],
        ),
        "stack-any-too-large": (
            _replace("achievements/cert.yaml", "requires: [alpha, beta]", "requires:\n  any: 3\n  of: [alpha, beta]"),
            ["content/achievements/cert.yaml:8: requires.any: is 3 but its list has only 2 parts"],
        ),
        "stack-any-zero": (
            _replace("achievements/cert.yaml", "requires: [alpha, beta]", "requires:\n  any: 0\n  of: [alpha, beta]"),
            ["content/achievements/cert.yaml:8: requires.any: must be at least 1, not 0"],
        ),
        "stack-nested-unknown": (
            _replace(
                "achievements/cert.yaml", "requires: [alpha, beta]", "requires:\n  - alpha\n  - {any: 1, of: [bta]}"
            ),
            ["content/achievements/cert.yaml:9: requires[1].of[0]: unknown achievement 'bta' (did you mean 'beta'?)"],
        ),
        "stack-cycle": (
            {
                "achievements/alpha.yaml": (SMALL / "achievements/alpha.yaml").read_text("utf-8")
                + "requires: [beta]\n",
                "achievements/beta.yaml": (SMALL / "achievements/beta.yaml").read_text("utf-8")
                + "requires:\n  any: 1\n  of: [cert]\n",
            },
            [
                "content/achievements/cert.yaml:7: requires[0]: stacks form a cycle: alpha → beta → cert → alpha",
                "content/achievements/cert.yaml:7: requires[1]: stacks form a cycle: beta → cert → beta",
            ],
        ),
        "email-space": (
            aw(base.replace("x@example.org", "x y@example.org")),
            ["content/awards/more.yaml:4: [0].recipient.email: not an email address"],
        ),
        "hash-format": (
            aw(base.replace("email: x@example.org", "email_hash: md5$abc\n    salt: s")),
            ["content/awards/more.yaml:4: [0].recipient.email_hash: must be 'sha256$' followed by 64 hex digits"],
        ),
        "bad-language": (
            {"site.yaml": "base_url: https://example.test/badges/\nlanguage: english!\n"},
            ["content/site.yaml:2: language: not a BCP 47 language tag (e.g. en, en-GB)"],
        ),
        "base-query": (
            {"site.yaml": "base_url: https://example.test/badges/?x=1\n"},
            ["content/site.yaml:1: base_url: must not have a query or fragment ('?' or '#')"],
        ),
        "base-missing": (
            {"site.yaml": "title: No base\n"},
            ["content/site.yaml:1: base_url: required field is missing"],
        ),
        "awarded-number": (
            aw(base.replace("awarded: 2026-03-01", "awarded: 20260301")),
            ["content/awards/more.yaml:5: [0].awarded: must be a date (YYYY-MM-DD), not a number"],
        ),
        "expires-datetime": (
            aw(base + "  expires: 2027-01-01T10:00:00Z\n"),
            ["content/awards/more.yaml:6: [0].expires: must be a date (YYYY-MM-DD), not a date and time"],
        ),
        "reissued-before": (
            aw(base + "  reissued: 2026-01-01\n"),
            ["content/awards/more.yaml:6: [0].reissued: must be after the award date"],
        ),
        "revoked-before": (
            aw(base + "  revoked:\n    date: 2026-01-01\n    reason: x\n"),
            ["content/awards/more.yaml:7: [0].revoked.date: must not be before the award date"],
        ),
        "revoked-no-reason": (
            aw(base + "  revoked:\n    date: 2026-06-01\n"),
            ["content/awards/more.yaml:7: [0].revoked.reason: required field is missing"],
        ),
        "key-bad-multibase": (
            {"issuers/acme.yaml": ISSUER + "keys:\n  - id: k1\n    public_key: z6MkNOTAKEY\n    status: active\n"},
            ["content/issuers/acme.yaml:8: keys[0].public_key: public key is not a base58btc multibase value"],
        ),
        "two-active-keys": (
            {
                "issuers/acme.yaml": ISSUER
                + "keys:\n  - id: k1\n    public_key: z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK\n    status: active\n  - id: k2\n    public_key: z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2\n    status: active\n"
            },
            ["content/issuers/acme.yaml:6: keys: exactly one key must have status: active"],
        ),
        "linkedin-letters": (
            {"issuers/acme.yaml": ISSUER + "linkedin_organization_id: acme-corp\n"},
            ["content/issuers/acme.yaml:6: linkedin_organization_id: must be the numeric LinkedIn organization id"],
        ),
        "tags-not-list": (
            {"achievements/alpha.yaml": A.replace("tags: [alpha, basics]", "tags: alpha")},
            ["content/achievements/alpha.yaml:9: tags: must be a list, not text"],
        ),
        "alignment-no-url": (
            {"achievements/alpha.yaml": A + "alignment:\n  - name: Thing\n"},
            ["content/achievements/alpha.yaml:12: alignment[0].url: required field is missing"],
        ),
        "evidence-not-list": (
            aw(base + "  evidence: https://x.example/\n"),
            ["content/awards/more.yaml:6: [0].evidence: must be a list, not text"],
        ),
        "custom-tag": (
            {"site.yaml": "base_url: !secret https://x.example/\n"},
            ["content/site.yaml:1: YAML tag !secret is not allowed"],
        ),
        "binary-tag": (
            {"site.yaml": "base_url: https://x.example/\ntitle: !!binary aGVsbG8=\n"},
            ["content/site.yaml:2: YAML tag tag:yaml.org,2002:binary is not allowed"],
        ),
        "credits-negative": (
            {"achievements/alpha.yaml": A.replace("credits: 1", "credits: -3")},
            ["content/achievements/alpha.yaml:10: credits: must be between 0 and 10000"],
        ),
        "image-absolute": (
            {"achievements/alpha.yaml": A.replace("images/badge-a.png", "/etc/passwd")},
            ["content/achievements/alpha.yaml:7: image: must be a path inside the content folder"],
        ),
        "image-directory": (
            {"achievements/alpha.yaml": A.replace("images/badge-a.png", "images")},
            ["content/achievements/alpha.yaml:7: image: image file images not found"],
        ),
        "year-2300": (
            aw(base.replace("2026-03-01", "2300-03-01")),
            ["content/awards/more.yaml:5: [0].awarded: year 2300 is out of range (1970-2200)"],
        ),
        "bad-timezone": (
            aw(base.replace("awarded: 2026-03-01", 'awarded: "2026-03-01T10:00:00+25:00"')),
            [
                "content/awards/more.yaml:5: [0].awarded: '2026-03-01T10:00:00+25:00' is not a valid date or date-time (YYYY-MM-DD)"
            ],
        ),
        "issuer-email-bad": (
            {"issuers/acme.yaml": ISSUER.replace("badges@acme.example", "badges.acme.example")},
            ["content/issuers/acme.yaml:3: email: not an email address"],
        ),
        "empty-site": ({"site.yaml": ""}, ["content/site.yaml: file is empty"]),
        "site-list": (
            {"site.yaml": "- base_url: https://x.example/\n"},
            ["content/site.yaml:1: must be a mapping, not a list"],
        ),
    }
)


def _apply(content: Path, edits: dict[str, str | None]) -> None:
    for rel, text in edits.items():
        if rel == "awards/latin1.yaml":
            (content / rel).write_bytes("- achievement: alpha\n  recipient: {name: Jos\xe9}\n".encode("latin-1"))
            continue
        if rel.endswith(".png"):
            (content / rel).write_bytes(text.encode("latin-1"))
            continue
        (content / rel).write_text(text, "utf-8")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def built(small_content: Path, key_file: Path, tmp_path: Path, monkeypatch):
    """A good build in tmp/_site, run from tmp so messages start with content/."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--key", str(key_file)])
    assert result.exit_code == 0, result.output
    return tmp_path / "_site"


@pytest.mark.parametrize("name", CASES)
def test_bad_content_is_reported_and_nothing_is_written(name, built, small_content, key_file, tmp_path):
    edits, expected = CASES[name]
    before = _snapshot(built)
    lock_before = (small_content / "credpress.lock").read_bytes()
    _apply(small_content, edits)
    result = CliRunner().invoke(main, ["build", "--key", str(key_file)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if not line.startswith(("warning:", "Aborted"))]
    assert lines == expected
    assert (
        result.output.splitlines()[-1]
        == f"Aborted with {len(expected)} content error{'s' if len(expected) > 1 else ''}"
    )
    assert _snapshot(built) == before
    assert (small_content / "credpress.lock").read_bytes() == lock_before
    assert not list(tmp_path.glob("._site.tmp-*"))


def test_symlink_outside_content_is_refused(small_content, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    secret = tmp_path / "secret.yaml"
    secret.write_text("- achievement: alpha\n")
    (small_content / "awards" / "linked.yaml").symlink_to(secret)
    image_secret = tmp_path / "outside.png"
    image_secret.write_bytes((small_content / "images" / "badge-a.png").read_bytes())
    (small_content / "images" / "linked.png").symlink_to(image_secret)
    _apply(small_content, _replace("achievements/beta.yaml", "images/badge-b.png", "images/linked.png"))
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        "content/achievements/beta.yaml:5: image: points outside the content folder",
        "content/awards/linked.yaml: is a link to a file outside the content folder",
    ]


def test_a_safe_svg_is_accepted(small_content, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _apply(small_content, _BETA_SVG(SVG_OK))
    assert CliRunner().invoke(main, ["check"]).exit_code == 0


def test_all_errors_are_reported_in_one_run(small_content, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("missing-required", "invalid-email", "javascript-url", "bad-duration"):
        _apply(small_content, CASES[name][0])
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "content/achievements/alpha.yaml:1: name: required field is missing",
        "content/achievements/beta.yaml:12: expires_after: not an ISO 8601 duration of years, months, weeks or days (e.g. P2Y, P18M)",
        "content/awards/cohort.yaml:4: [0].recipient.email: not an email address",
        "content/awards/more.yaml:8: [0].evidence[0].url: must be an http(s) URL",
        "Aborted with 4 content errors",
    ]


def test_unknown_keys_warn_and_fail_under_strict(small_content, tmp_path, monkeypatch, key_file):
    monkeypatch.chdir(tmp_path)
    _apply(small_content, _replace("achievements/alpha.yaml", "credits: 1", "credits: 1\ncredit: 2"))
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0
    assert (
        "warning: content/achievements/alpha.yaml:11: credit: unknown field (did you mean 'credits'?)" in result.output
    )
    strict = CliRunner().invoke(main, ["build", "--strict", "--key", str(key_file)])
    assert strict.exit_code == 1
    assert (
        strict.output.splitlines()[0]
        == "content/achievements/alpha.yaml:11: credit: unknown field (did you mean 'credits'?)"
    )
    assert not (tmp_path / "_site").exists()


def test_an_incomplete_stack_is_counted_in_one_summary_line(small_content, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _apply(
        small_content,
        _award("- achievement: cert\n  recipient:\n    name: Bo\n    email: bo@example.org\n  awarded: 2026-06-01\n"),
    )
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0
    assert "recipient does not hold" not in result.output
    assert "Certificate in Alpha and Beta: 1 complete, 0 auto-awarded this build, 0 revoked by cascade" in (
        result.output.splitlines()
    )


def test_unnormalized_unicode_is_normalized_with_a_warning(small_content, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    decomposed = "Zoe\u0308"  # e + combining diaeresis
    _apply(
        small_content,
        _award(
            f"- achievement: beta\n  recipient:\n    name: {decomposed}\n    email: zoe@example.org\n  awarded: 2026-03-01\n"
        ),
    )
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0
    assert "warning: content/awards/more.yaml: text was normalized to Unicode NFC" in result.output
