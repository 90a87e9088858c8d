"""Run the 1EdTech Open Badges 2.0 validator on URLs of a portal on this machine, offline.

    .venv-ob2/bin/python tests/tools/ob2_validator/run.py URL [URL ...]

Prints one JSON object per URL: {"input": URL, "valid": bool, "errorCount": n, "messages": [...],
"graph": [...]}. The validator fetches every document it checks. Requests to 127.0.0.1 and
localhost go through; the Open Badges 2.0 JSON-LD context (https://w3id.org/openbadges/v2) is
served from the copy the validator ships; anything else is refused, so nothing leaves the machine.
"""

import json
import sys
from urllib.parse import urlsplit

import requests
from openbadges import verify
from openbadges.verifier.openbadges_context import (
    OPENBADGES_CONTEXT_V2_DICT,
    OPENBADGES_CONTEXT_V2_URI,
)
from requests.adapters import HTTPAdapter

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
_send = HTTPAdapter.send


def _offline_send(self, request, **kwargs):
    url = request.url
    host = urlsplit(url).hostname
    if host in LOCAL_HOSTS:
        return _send(self, request, **kwargs)
    if url.rstrip("/") == OPENBADGES_CONTEXT_V2_URI:
        response = requests.Response()
        response.status_code = 200
        response.url = url
        response.request = request
        response.headers["Content-Type"] = "application/ld+json"
        response._content = json.dumps(OPENBADGES_CONTEXT_V2_DICT).encode()
        response.encoding = "utf-8"
        return response
    raise requests.exceptions.ConnectionError(f"offline: refused to fetch {url}")


HTTPAdapter.send = _offline_send


def main(urls):
    for url in urls:
        result = verify(url, use_cache=False)
        report = result["report"]
        print(
            json.dumps(
                {
                    "input": url,
                    "valid": report["valid"],
                    "errorCount": report["errorCount"],
                    "warningCount": report.get("warningCount", 0),
                    "messages": report["messages"],
                    "graph": result["graph"],
                }
            )
        )


if __name__ == "__main__":
    main(sys.argv[1:])
