"""Issue 9, "nothing lost, nothing forged": each class of bad content is refused in the
shared mechanism, with its exact `path:line: field: message`, exit 1 and nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_build
from hypothesis import given, settings
from hypothesis import strategies as st
from test_content_errors import _apply as _apply_text
from test_content_errors import _replace, _snapshot

from credpress.cli import main

AWARD = "- achievement: alpha\n  recipient:\n    name: X\n    email: x@example.org\n  awarded: 2026-03-01\n"


def _apply(content: Path, edits: dict) -> None:
    """Write each edited file: bytes as they are, text as UTF-8."""
    _apply_text(content, {rel: text for rel, text in edits.items() if not isinstance(text, bytes)})
    for rel, data in edits.items():
        if isinstance(data, bytes):
            (content / rel).write_bytes(data)


def _evidence(url: str) -> dict[str, str]:
    return {"awards/more.yaml": AWARD + f"  evidence:\n    - name: E\n      url: '{url}'\n"}


def _site(base_url: str) -> dict[str, str]:
    return {"site.yaml": f"base_url: '{base_url}'\n"}


EVIDENCE = "content/awards/more.yaml:8: [0].evidence[0].url: "
BASE = "content/site.yaml:1: base_url: "

# 1. Every URL that enters a signed document is a valid absolute http(s) URL.
URL_CASES = {
    "evidence-space": (_evidence("https://e.example/my work"), EVIDENCE + "contains a space (write it as %20)"),
    "evidence-quote": (
        _evidence('https://e.example/"x"'),
        EVIDENCE + "contains '\"' in its path, which is not allowed in a URL (write it as %22)",
    ),
    "evidence-angle": (
        _evidence("https://e.example/<b>"),
        EVIDENCE + "contains '<' in its path, which is not allowed in a URL (write it as %3C)",
    ),
    "evidence-pipe": (
        _evidence("https://e.example/?a|b"),
        EVIDENCE + "contains '|' in its query, which is not allowed in a URL (write it as %7C)",
    ),
    "evidence-port": (_evidence("https://e.example:99999/"), EVIDENCE + "port 99999 is out of range (1-65535)"),
    "evidence-port-word": (_evidence("https://e.example:abc/"), EVIDENCE + "port 'abc' is not a number"),
    "evidence-ipv6": (_evidence("https://[::g]/x"), EVIDENCE + "has an IPv6 address that does not parse ('[::g]')"),
    "evidence-userinfo": (
        _evidence("https://me:secret@e.example/"),
        EVIDENCE + "must not contain a user name or password ('@' before the host)",
    ),
    "evidence-percent": (
        _evidence("https://e.example/100%"),
        EVIDENCE + "has a '%' in its path that is not followed by two hex digits (write a literal % as %25)",
    ),
    "evidence-backslash": (
        _evidence("https://e.example\\evil.example/"),
        EVIDENCE + "contains a backslash '\\' (use '/')",
    ),
    "evidence-relative": (
        _evidence("https:e.example/x"),
        EVIDENCE + "must be an absolute http(s) URL (scheme://host/path)",
    ),
    "evidence-dot-segment": (
        _evidence("https://e.example/a/../b"),
        EVIDENCE + "has a '.' or '..' path segment (write the path without them)",
    ),
    "evidence-bad-ipv4": (
        _evidence("https://1.2.3.999/"),
        EVIDENCE + "host '1.2.3.999' ends in a number but is not an IPv4 address",
    ),
    "alignment-brace": (
        _replace("achievements/beta.yaml", "https://framework.example/beta", "https://framework.example/{beta}"),
        "content/achievements/beta.yaml:9: alignment[0].url: "
        "contains '{' in its path, which is not allowed in a URL (write it as %7B)",
    ),
    "issuer-url-bad-host": (
        _replace("issuers/acme.yaml", "https://acme.example/", "https://acme..example/"),
        "content/issuers/acme.yaml:2: url: host 'acme..example' has an empty label ('..')",
    ),
    "image-name-300": (
        {
            **_replace("achievements/beta.yaml", "images/badge-b.png", "images/" + "b" * 300 + ".png"),
        },
        "content/achievements/beta.yaml:5: image: file name '" + "b" * 40 + "…' is longer than 200 characters",
    ),
    "base-backslash": (_site("https://badges.example\\evil/"), BASE + "contains a backslash '\\' (use '/')"),
    "base-dot-segment": (
        _site("https://badges.example/a/../b/"),
        BASE + "has a '.' or '..' path segment (write the path without them)",
    ),
    "base-space": (_site("https://badges.example/my badges/"), BASE + "contains a space (write it as %20)"),
    "base-empty-segment": (_site("https://badges.example//b/"), BASE + "has an empty path segment ('//')"),
    "base-encoded-slash": (
        _site("https://badges.example/a%2Fb/"),
        BASE + "has an encoded '/' (%2F) in its path, which did:web cannot express",
    ),
    "base-encoded-other": (
        _site("https://badges.example/a%20b/"),
        BASE + "path segment 'a%20b' may only use letters, digits, '-', '.' and '_' (did:web)",
    ),
    "base-empty-userinfo": (
        _site("https://@badges.example/"),
        BASE + "must not contain a user name or password ('@' before the host)",
    ),
    "base-userinfo": (
        _site("https://me@badges.example/"),
        BASE + "must not contain a user name or password ('@' before the host)",
    ),
    "base-trailing-hash": (_site("https://badges.example/#"), BASE + "must not have a query or fragment ('?' or '#')"),
    "base-trailing-question": (
        _site("https://badges.example/?"),
        BASE + "must not have a query or fragment ('?' or '#')",
    ),
    "base-port-99999": (_site("https://badges.example:99999/"), BASE + "port 99999 is out of range (1-65535)"),
    "base-port-abc": (_site("https://badges.example:abc/"), BASE + "port 'abc' is not a number"),
    "base-ipv6": (_site("https://[::1]/"), BASE + "must use a host name, not an IP address (did:web)"),
    "base-bad-idn": (
        _site("https://bad\u2488host.example/"),
        BASE + "host 'bad\u2488host.example' is not a valid international domain name "
        "(Codepoint U+2488 not allowed at position 4 in 'bad⒈host.example')",
    ),
}


def _name(name: str) -> dict[str, str]:
    return {"awards/more.yaml": AWARD.replace("name: X", f'name: "{name}"')}


NAME = "content/awards/more.yaml:3: [0].recipient.name: "

# 2. Invisible characters: Default_Ignorable_Code_Point and bidi controls.
INVISIBLE_CASES = {
    "arabic-letter-mark": (
        _name("Ada\\u061cLovelace"),
        NAME + "contains an invisible character (U+061C ARABIC LETTER MARK)",
    ),
    "tag-character": (
        _name("Ada\\U000E0041"),
        NAME + "contains an invisible character (U+E0041 TAG LATIN CAPITAL LETTER A)",
    ),
    "hangul-filler": (_name("\\u3164"), NAME + "contains an invisible character (U+3164 HANGUL FILLER)"),
    "mongolian-vowel-separator": (
        _name("Ada\\u180eX"),
        NAME + "contains an invisible character (U+180E MONGOLIAN VOWEL SEPARATOR)",
    ),
}

# 3. Clear messages instead of tracebacks or silence.
CLEAR_CASES = {
    "expires-after-8000-years": (
        _replace("achievements/beta.yaml", "expires_after: P2Y", "expires_after: P8000Y"),
        "content/achievements/beta.yaml:12: expires_after: is longer than 100 years (P100Y at most)",
    ),
    "expires-after-huge-days": (
        _replace("achievements/beta.yaml", "expires_after: P2Y", "expires_after: P99999999999D"),
        "content/achievements/beta.yaml:12: expires_after: is longer than 100 years (P100Y at most)",
    ),
    "base-upper-case-ipv6-unparsable": (
        _site("https://[fe80::1%eth0]/"),
        BASE + "has an IPv6 address that does not parse ('[fe80::1%eth0]')",
    ),
}


def _svg(svg: str | bytes) -> dict:
    return {**_replace("achievements/beta.yaml", "images/badge-b.png", "images/art.svg"), "images/art.svg": svg}


SVG = "content/achievements/beta.yaml:5: image: images/art.svg "
XLINK = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
NOT_DRAWING = "is not allowed (only drawing elements: no script, animation or embedded documents)"

# 5. SVG: a parser-based allowlist; every known bypass of the old byte-regex denylist is refused.
SVG_CASES = {
    "svg-utf16-script": (
        _svg(f'<?xml version="1.0" encoding="UTF-16"?><svg {XLINK}><script>alert(1)</script></svg>'.encode("utf-16")),
        SVG + "SVG must be UTF-8 (it starts with a UTF-16 byte order mark)",
    ),
    "svg-utf16-without-bom": (
        _svg(f'<?xml version="1.0" encoding="UTF-16LE"?><svg {XLINK}><script>x</script></svg>'.encode("utf-16-le")),
        SVG + "SVG must be UTF-8 text (it contains NUL bytes)",
    ),
    "svg-declared-latin1": (
        _svg(f'<?xml version="1.0" encoding="ISO-8859-1"?><svg {XLINK}/>'),
        SVG + "SVG declares the encoding 'ISO-8859-1'; only UTF-8 is allowed",
    ),
    "svg-namespaced-script": (
        _svg(f'<svg {XLINK}><h:script xmlns:h="http://www.w3.org/2000/svg">alert(1)</h:script></svg>'),
        SVG + "SVG element <script> " + NOT_DRAWING,
    ),
    "svg-xhtml-script": (
        _svg(f'<svg {XLINK}><script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script></svg>'),
        SVG + "SVG uses the namespace 'http://www.w3.org/1999/xhtml' for the element 'script' "
        "(only SVG and XLink are allowed)",
    ),
    "svg-onload-unquoted-case": (
        _svg(f"<svg {XLINK} ONLOAD='alert(1)'/>"),
        SVG + "SVG attribute 'ONLOAD' on <svg> is an event handler (script is not allowed)",
    ),
    "svg-javascript-link": (
        _svg(f'<svg {XLINK}><a xlink:href=" javascript:alert(1)"><text>x</text></a></svg>'),
        SVG + "SVG <a> refers to another file (javascript:alert(1)); only '#id' inside the image is allowed",
    ),
    "svg-outside-use": (
        _svg(f'<svg {XLINK}><use href="https://evil.example/x.svg#a"/></svg>'),
        SVG + "SVG <use> refers to another file (https://evil.example/x.svg#a); only '#id' inside the image is allowed",
    ),
    "svg-embedded-svg": (
        _svg(f'<svg {XLINK}><image href="data:image/svg+xml;base64,PHN2Zy8+"/></svg>'),
        SVG + "SVG <image> refers to another file (data:image/svg+xml;base64,PHN2Zy8+); only '#id' inside the "
        "image or an embedded data:image/png or data:image/jpeg is allowed",
    ),
    "svg-entity-expansion": (
        _svg(
            '<!DOCTYPE svg [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">&b;</svg>'
        ),
        SVG + "SVG has a DOCTYPE (document type declarations and entities are not allowed)",
    ),
    "svg-external-dtd": (
        _svg('<!DOCTYPE svg SYSTEM "https://evil.example/x.dtd"><svg xmlns="http://www.w3.org/2000/svg"/>'),
        SVG + "SVG has a DOCTYPE (document type declarations and entities are not allowed)",
    ),
    "svg-stylesheet-pi": (
        _svg('<?xml-stylesheet type="text/xsl" href="x.xsl"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
        SVG + "SVG has a processing instruction '<?xml-stylesheet' (not allowed)",
    ),
    "svg-foreign-object": (
        _svg(f"<svg {XLINK}><foreignObject><p>x</p></foreignObject></svg>"),
        SVG + "SVG element <foreignObject> " + NOT_DRAWING,
    ),
    "svg-set-href": (
        _svg(f'<svg {XLINK}><a href="#x"><set attributeName="href" to="javascript:alert(1)"/></a></svg>'),
        SVG + "SVG element <set> " + NOT_DRAWING,
    ),
    "svg-iframe": (_svg(f"<svg {XLINK}><iframe/></svg>"), SVG + "SVG element <iframe> " + NOT_DRAWING),
    "svg-unknown-namespace": (
        _svg(f'<svg {XLINK} xmlns:i="http://ns.example/i"><g i:x="1"/></svg>'),
        SVG + "SVG uses the namespace 'http://ns.example/i' for the attribute 'x' (only SVG and XLink are allowed)",
    ),
    "svg-style-url": (
        _svg(f"<svg {XLINK}><style>rect {{ fill: url('https://evil.example/p') }}</style></svg>"),
        SVG + "SVG style refers to another file (url(https://evil.example/p)); only url(#id) is allowed",
    ),
    "svg-style-escape": (
        _svg(f'<svg {XLINK}><rect style="fill: \\75rl(https://evil.example/p)"/></svg>'),
        SVG + "SVG style uses '\\', which is not allowed",
    ),
    "svg-style-import": (
        _svg(f'<svg {XLINK}><style>@import "https://evil.example/x.css";</style></svg>'),
        SVG + "SVG style uses '@import', which is not allowed",
    ),
    "svg-xml-base": (
        _svg(f'<svg {XLINK}><g xml:base="https://evil.example/"/></svg>'),
        SVG + "SVG attribute 'base' on <g> is not allowed",
    ),
}

CASES = {**URL_CASES, **INVISIBLE_CASES, **CLEAR_CASES, **SVG_CASES}

# Default_Ignorable_Code_Point (UCD DerivedCoreProperties.txt, Unicode 16.0), which
# contains every Bidi_Control character.
DEFAULT_IGNORABLE = [
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
]  # fmt: skip
BIDI_CONTROL = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]


@pytest.mark.parametrize("first,last", DEFAULT_IGNORABLE, ids=lambda n: f"U+{n:04X}")
def test_every_default_ignorable_code_point_is_refused(first, last):
    from credpress.content.fields import Invalid, text

    for code in range(first, last + 1):
        for where in (f"Ada{chr(code)}Lovelace", f"{chr(code)}Ada", f"Ada {chr(code)}"):
            with pytest.raises(Invalid, match=f"^contains an invisible character \\(U\\+{code:04X}[ )]"):
                text()(where)


def test_bidi_controls_are_in_the_refused_set():
    assert all(any(a <= code <= b for a, b in DEFAULT_IGNORABLE) for code in BIDI_CONTROL)


def test_selectors_that_belong_to_a_visible_character_are_kept():
    from credpress.content.fields import Invalid, text

    assert text()("Thanks \u2764\ufe0f and \u00a9\ufe0e") == "Thanks \u2764\ufe0f and \u00a9\ufe0e"
    assert text()("\u1820\u180b") == "\u1820\u180b"  # Mongolian letter A, free variation selector 1
    with pytest.raises(Invalid, match="U\\+FE0F"):
        text()("Ada\ufe0fLovelace")


@pytest.fixture
def built(small_content: Path, key_file: Path, tmp_path: Path, monkeypatch) -> Path:
    """A good build in tmp/_site, run from tmp so messages start with content/."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--key", str(key_file)])
    assert result.exit_code == 0, result.output
    return tmp_path / "_site"


def _refused(content: Path, key_file: Path, site: Path, edits: dict, args: tuple[str, ...] = ()) -> list[str]:
    """Apply edits, build: exit 1, nothing written; the error lines (warnings and summary left out)."""
    before = _snapshot(site)
    lock_before = (content / "credpress.lock").read_bytes()
    _apply(content, edits)
    result = CliRunner().invoke(main, ["build", "--key", str(key_file), *args])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if not line.startswith(("warning:", "Aborted"))]
    count = len(lines)
    assert result.output.splitlines()[-1] == f"Aborted with {count} content error{'s' if count > 1 else ''}"
    assert _snapshot(site) == before
    assert (content / "credpress.lock").read_bytes() == lock_before
    return lines


@pytest.mark.parametrize("name", CASES)
def test_bad_content_is_refused_with_its_message(name, built, small_content, key_file):
    edits, expected = CASES[name]
    assert _refused(small_content, key_file, built, edits) == [expected]


def _tricky_url_content(content: Path) -> None:
    """Tricky-but-valid URLs: an IDN, upper-case base_url, an image named with a space and '#'."""
    (content / "site.yaml").write_text("base_url: https://Bádges.EXAMPLE:443/Badges\ntitle: T\n", "utf-8")
    art = content / "images" / "badge art #1.png"
    art.write_bytes((content / "images" / "badge-b.png").read_bytes())
    beta = content / "achievements" / "beta.yaml"
    beta.write_text(beta.read_text("utf-8").replace("images/badge-b.png", "'images/badge art #1.png'"), "utf-8")
    (content / "awards" / "more.yaml").write_text(
        AWARD.replace("alpha", "beta")
        + "  evidence:\n    - name: E\n      url: https://Evidence.example/ä/x?q=1&r=a%20b#part\n",
        "utf-8",
    )


TRICKY_BASE = "https://xn--bdges-xqa.example/Badges/"


def test_tricky_but_valid_urls_are_normalised(small_content, key_file, tmp_path):
    _tricky_url_content(small_content)
    make_build(small_content, tmp_path / "site", key_file)
    site = tmp_path / "site"
    assert (site / "images" / "badge art #1.png").is_file()
    credentials = [json.loads(p.read_text("utf-8")) for p in (site / "credentials").glob("*.json")]
    tricky = next(
        c
        for c in credentials
        if "evidence" in c
        and c["credentialSubject"]["achievement"]["name"] == "Beta Skills"
        and c["validFrom"].startswith("2026-03-01")
    )
    assert tricky["id"].startswith(TRICKY_BASE + "credentials/")
    assert tricky["issuer"]["id"] == "did:web:xn--bdges-xqa.example:Badges:issuers:acme"
    assert tricky["image"]["id"] == TRICKY_BASE + "images/badge%20art%20%231.png"
    assert tricky["evidence"][0]["id"] == "https://evidence.example/%C3%A4/x?q=1&r=a%20b#part"
    page = (site / "achievements" / "beta" / "index.html").read_text("utf-8")
    assert 'src="../../images/badge%20art%20%231.png"' in page


def test_longest_allowed_expiry_builds(small_content, key_file, tmp_path):
    _apply(small_content, _replace("achievements/beta.yaml", "expires_after: P2Y", "expires_after: P100Y"))
    make_build(small_content, tmp_path / "site", key_file)


def test_upper_case_host_is_normalised_not_refused(small_content, key_file, tmp_path):
    _apply(small_content, _site("https://Example.TEST/badges"))
    make_build(small_content, tmp_path / "site", key_file)
    credential = json.loads(next((tmp_path / "site" / "credentials").glob("*.json")).read_text("utf-8"))
    assert credential["id"].startswith("https://example.test/badges/credentials/")
    assert credential["issuer"]["id"] == "did:web:example.test:badges:issuers:acme"


@pytest.mark.parametrize("command", ["build", "check"])
@pytest.mark.parametrize("body", ["", "# only a comment\n"])
def test_an_empty_issuer_file_is_an_error_and_its_users_are_reported(
    command, body, small_content, key_file, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    _apply(small_content, {"issuers/acme.yaml": body})
    result = CliRunner().invoke(main, [command, "--key", str(key_file)] if command == "build" else [command])
    assert result.exit_code == 1, result.output
    which = "content/issuers/acme.yaml, which is empty"
    assert result.output.splitlines() == [
        f"content/achievements/{slug}.yaml:1: issuer: issuer 'acme' is {which}" for slug in ("alpha", "beta", "cert")
    ] + ["content/issuers/acme.yaml: file is empty", "Aborted with 4 content errors"]
    assert not (tmp_path / "_site").exists()


def test_an_empty_achievement_file_is_an_error_and_awards_of_it_are_reported(small_content, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _apply(small_content, {"achievements/alpha.yaml": "# nothing yet\n"})
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    which = "achievement 'alpha' is content/achievements/alpha.yaml, which is empty"
    assert result.output.splitlines() == [
        "content/achievements/alpha.yaml: file is empty",
        f"content/achievements/cert.yaml:7: requires[0]: {which}",
        f"content/awards/cohort.yaml:1: [0].achievement: {which}",
        f"content/awards/cohort.yaml:21: [3].achievement: {which}",
        "Aborted with 4 content errors",
    ]


@pytest.mark.parametrize(
    "name", ["awards/late.YAML", "awards/sub/late.yaml.txt", "achievements/gamma.Yml", "issuers/notes.md"]
)
def test_files_with_another_extension_are_named_and_fail_under_strict(name, small_content, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (small_content / name).parent.mkdir(parents=True, exist_ok=True)
    (small_content / name).write_text(AWARD, "utf-8")
    (small_content / "awards" / ".hidden.txt").write_text("editor state", "utf-8")  # hidden files stay quiet
    message = f"content/{name}: ignored: only files ending in .yaml or .yml (lower case) are read"
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0
    assert [line for line in result.output.splitlines() if line.startswith("warning:")] == [f"warning: {message}"]
    strict = CliRunner().invoke(main, ["check", "--strict"])
    assert strict.exit_code == 1
    assert strict.output.splitlines() == [message, "Aborted with 1 content error"]


def test_a_yaml_merge_key_override_is_not_a_duplicate(small_content, key_file, tmp_path):
    base = "- &ada\n  achievement: alpha\n  recipient: {name: Ada Lovelace, email: ada@example.org}\n  awarded: 2026-03-01\n"
    _apply(small_content, {"awards/cohort.yaml": base + "- <<: *ada\n  achievement: beta\n  awarded: 2026-04-01\n"})
    make_build(small_content, tmp_path / "site", key_file)
    names = sorted(json.loads(p.read_text("utf-8"))["name"] for p in (tmp_path / "site" / "credentials").glob("*.json"))
    # Ada now holds both parts of the cert stack, so it is auto-awarded too.
    assert names == ["Alpha Skills", "Beta Skills", "Certificate in Alpha and Beta"]


def test_a_key_written_twice_beside_a_merge_is_still_a_duplicate(built, small_content, key_file):
    edits = {"site.yaml": "defaults: &d {title: T}\nbase_url: https://a.example/\n<<: *d\ntitle: U\ntitle: V\n"}
    assert _refused(small_content, key_file, built, edits) == ["content/site.yaml:5: duplicate key 'title'"]


# 4. Every content error in one run.
def test_a_bad_date_and_an_unknown_achievement_in_one_award_are_both_reported(small_content, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _apply(small_content, {"awards/more.yaml": AWARD.replace("alpha", "alpah").replace("2026-03-01", "2026-02-30")})
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "content/awards/more.yaml:1: [0].achievement: unknown achievement 'alpah' (did you mean 'alpha'?)",
        "content/awards/more.yaml:5: [0].awarded: '2026-02-30' is not a valid date or date-time (YYYY-MM-DD)",
        "Aborted with 2 content errors",
    ]


def test_references_of_a_broken_achievement_are_checked_too(small_content, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cert = (small_content / "achievements" / "cert.yaml").read_text("utf-8")
    _apply(
        small_content,
        {
            "achievements/cert.yaml": cert.replace("issuer: acme", "issuer: acmee")
            .replace("[alpha, beta]", "[alpa, beta]")
            .replace("credits", "x")
            + "credits: lots\n"
        },
    )
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "content/achievements/cert.yaml:1: issuer: unknown issuer 'acmee' (did you mean 'acme'?)",
        "content/achievements/cert.yaml:7: requires[0]: unknown achievement 'alpa' (did you mean 'alpha'?)",
        "content/achievements/cert.yaml:8: credits: must be a number, not text",
        "Aborted with 3 content errors",
    ]


RICH_SVG = f"""<?xml version="1.0" encoding="UTF-8"?>
<svg {XLINK} viewBox="0 0 100 100" width="100" height="100">
  <title>Badge</title>
  <defs>
    <linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#fc0"/><stop offset="1" stop-color="#c60"/></linearGradient>
    <filter id="f"><feGaussianBlur stdDeviation="1"/></filter>
    <clipPath id="c"><circle cx="50" cy="50" r="48"/></clipPath>
  </defs>
  <style>.t {{ font: bold 12px sans-serif; fill: url(#g) }}</style>
  <g clip-path="url(#c)" filter="url(#f)">
    <rect width="100" height="100" fill="url(#g)"/>
    <path d="M10 10 L90 90" stroke="#000" stroke-width="2"/>
    <image x="0" y="0" width="1" height="1" xlink:href="data:image/png;base64,iVBORw0KGgo="/>
  </g>
  <use xlink:href="#c"/>
  <text x="50" y="55" class="t" text-anchor="middle">A <tspan dy="2">1</tspan></text>
</svg>
"""


def test_a_rich_but_safe_svg_is_published(small_content, key_file, tmp_path):
    _apply(small_content, _svg(RICH_SVG))
    make_build(small_content, tmp_path / "site", key_file)
    assert (tmp_path / "site" / "images" / "art.svg").read_text("utf-8") == RICH_SVG


def test_svg_files_get_a_content_security_policy_in_headers(small_content, key_file, tmp_path):
    make_build(small_content, tmp_path / "site", key_file)
    assert (tmp_path / "site" / "_headers").read_text("utf-8") == (
        "/*\n"
        "  Access-Control-Allow-Origin: *\n"
        "/*.svg\n"
        "  Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox\n"
        "  X-Content-Type-Options: nosniff\n"
    )


SCALARS = st.one_of(
    st.sampled_from(
        [
            "",
            "~",
            "null",
            "Null",
            "yes",
            "No",
            "on",
            "OFF",
            "true",
            "0x1F",
            "0o17",
            "017",
            "-12",
            "+1_000",
            "1:20",
            "190:20:30",
            "1.5e3",
            ".inf",
            "-.Inf",
            ".NaN",
            "2026-01-05",
            "2026-1-5 1:02:03Z",
            "2026-01-05T10:00:00+01:00",
            "<<",
            "=",
            "a",
            "Learner Number 7",
        ]
    ),  # fmt: skip
    st.text(alphabet=st.sampled_from("0123456789.+-_:eE xXoObB~nulNUtrfsyYaA<=T"), max_size=12),
    st.text(max_size=8),
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.tuples(SCALARS, st.booleans(), st.booleans()), min_size=1, max_size=20))
def test_the_loader_resolves_scalars_as_pyyaml_does(scalars):
    """Our loader remembers scalar tags and checks candidates itself: same tag as PyYAML's own
    resolver for every value, plain or quoted, asked once or again."""
    import yaml

    from credpress.content.load import _SAFE_LOADER

    ours, reference = _SAFE_LOADER(""), yaml.SafeLoader("")
    for value, plain, quoted in scalars * 2:
        implicit = (plain, quoted)
        assert ours.resolve(yaml.ScalarNode, value, implicit) == reference.resolve(yaml.ScalarNode, value, implicit)
    for kind in (yaml.MappingNode, yaml.SequenceNode):
        assert ours.resolve(kind, None, (True, False)) == reference.resolve(kind, None, (True, False))
