"""The private key never appears in logs, error messages or exceptions, in any encoding."""

from __future__ import annotations

import base64
import traceback

import pytest
from click.testing import CliRunner
from conftest import fixed_key

from credpress.cli import main
from credpress.vc import keys, multibase


def _forms(key: keys.SigningKey) -> list[str]:
    seed = key._private.private_bytes_raw()
    pem_body = "".join(key.pem().decode().splitlines()[1:-1])
    return [
        seed.hex(),
        seed.hex().upper(),
        base64.b64encode(seed).decode(),
        base64.urlsafe_b64encode(seed).decode().rstrip("="),
        multibase.b58encode(seed),
        key.secret_multibase(),
        pem_body,
        repr(seed)[2:-1],
    ]


def _assert_clean(text: str, key: keys.SigningKey) -> None:
    for form in _forms(key):
        assert form not in text


@pytest.fixture
def in_tmp(small_content, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_key_does_not_reach_build_output_or_logs(in_tmp):
    key = fixed_key()
    env = {"CREDPRESS_SIGNING_KEY": key.secret_multibase(), "CI": "true"}
    result = CliRunner().invoke(main, ["build", "--strict"], env=env)
    assert result.exit_code == 0, result.output
    _assert_clean(result.output, key)


@pytest.mark.parametrize("scenario", ["mismatch", "bad-content", "revoked-key"])
def test_key_does_not_reach_error_messages(in_tmp, small_content, scenario):
    key = fixed_key()
    issuer = small_content / "issuers" / "acme.yaml"
    if scenario == "mismatch":
        issuer.write_text(
            issuer.read_text()
            + f"keys:\n  - id: k\n    public_key: {keys.generate().public_multibase}\n    status: active\n"
        )
    elif scenario == "revoked-key":
        issuer.write_text(
            issuer.read_text() + f"keys:\n  - id: old\n    public_key: {key.public_multibase}\n    status: revoked\n"
            f"    revoked: 2026-11-01\n  - id: new\n    public_key: {keys.generate().public_multibase}\n    status: active\n"
        )
    else:
        (small_content / "site.yaml").write_text("base_url: http://insecure.example/\n")
    result = CliRunner().invoke(main, ["build"], env={"CREDPRESS_SIGNING_KEY": key.secret_multibase()})
    assert result.exit_code == 1
    if scenario == "revoked-key":
        assert "is a REVOKED key of content/issuers/acme.yaml" in result.output
    _assert_clean(result.output, key)


def test_exceptions_and_reprs_hold_no_key(small_content, tmp_path):
    key = fixed_key()
    assert key.secret_multibase() not in repr(key) and key.secret_multibase() not in str(key)
    from credpress.errors import KeyConfigError
    from credpress.pipeline import BuildOptions, build

    issuer = small_content / "issuers" / "acme.yaml"
    issuer.write_text(
        issuer.read_text()
        + f"keys:\n  - id: k\n    public_key: {keys.generate().public_multibase}\n    status: active\n"
    )
    with pytest.raises(KeyConfigError) as caught:
        build(
            BuildOptions(
                content=small_content,
                out=tmp_path / "site",
                environ={"CREDPRESS_SIGNING_KEY": key.secret_multibase()},
                warn=lambda m: None,
            )
        )
    _assert_clean("".join(traceback.format_exception(caught.value)), key)


@pytest.mark.parametrize(
    "value",
    [
        "z3u2" + "1" * 40,
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----",
        "not a key at all",
    ],
)
def test_malformed_environment_key_is_named_not_echoed(in_tmp, value):
    result = CliRunner().invoke(main, ["build"], env={"CREDPRESS_SIGNING_KEY": value})
    assert result.exit_code == 1
    assert "$CREDPRESS_SIGNING_KEY" in result.output
    for secret_part in (line for line in value.splitlines() if not line.startswith("-----")):
        assert secret_part not in result.output


def test_wrong_type_of_key_file_is_refused(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "ec.pem"
    path.write_bytes(
        other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    from credpress.errors import KeyConfigError

    with pytest.raises(KeyConfigError, match=f"the signing key in key file {path} is not an Ed25519 key"):
        keys.read_key_file(path)
