"""Data Integrity proofs with the cryptosuite `eddsa-rdfc-2022` (W3C Data Integrity EdDSA
Cryptosuites v1.0): Ed25519 over the SHA-256 hashes of the RDFC-1.0 canonical forms of the proof
options and of the document. Keys are Multikeys (`publicKeyMultibase`, base58btc of the
ed25519-pub multicodec `0xed01` and the 32-byte key: `z6Mk…`)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from credentials.jsonld import canonize

CRYPTOSUITE = "eddsa-rdfc-2022"
ED25519_PUB_MULTICODEC = b"\xed\x01"
_BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    encoded = ""
    while number:
        number, remainder = divmod(number, 58)
        encoded = _BASE58_ALPHABET[remainder] + encoded
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + encoded


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _BASE58_ALPHABET.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    leading_ones = len(text) - len(text.lstrip("1"))
    return b"\0" * leading_ones + body


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58btc_encode(ED25519_PUB_MULTICODEC + raw)


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    if not value.startswith("z"):
        raise ValueError("A Multikey's publicKeyMultibase starts with 'z' (base58btc).")
    decoded = base58btc_decode(value[1:])
    if decoded[:2] != ED25519_PUB_MULTICODEC or len(decoded) != 34:
        raise ValueError("Not an Ed25519 Multikey.")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _hash_data(document: dict, proof_options: dict) -> bytes:
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    proof_config = {"@context": document["@context"], **proof_options}
    proof_config.pop("proofValue", None)
    proof_hash = hashlib.sha256(canonize(proof_config).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonize(unsecured).encode("utf-8")).digest()
    return proof_hash + document_hash


def sign(
    document: dict,
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
) -> dict:
    """The document with an `assertionMethod` DataIntegrityProof added."""
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": _timestamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = private_key.sign(_hash_data(document, proof))
    proof["proofValue"] = "z" + base58btc_encode(signature)
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    return {**unsecured, "proof": proof}


def verify(document: dict, *, public_key: Ed25519PublicKey) -> bool:
    """Our own check of a proof (the independent one is Digital Bazaar's, in the tests)."""
    proof = document.get("proof") or {}
    if proof.get("cryptosuite") != CRYPTOSUITE or not str(proof.get("proofValue", "")).startswith(
        "z"
    ):
        return False
    try:
        signature = base58btc_decode(proof["proofValue"][1:])
        public_key.verify(signature, _hash_data(document, proof))
    except (InvalidSignature, ValueError):
        return False
    return True
