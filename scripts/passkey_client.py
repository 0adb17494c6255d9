#!/usr/bin/env python3
"""Drive a running Latchkey server through a whole passkey life cycle.

It shows, from outside the server, that passkeys work end to end over the
public HTTP endpoints: make an account, register a passkey, sign out, sign in
with the passkey alone (discoverable, no username), and that the server
refuses a replayed assertion, an assertion for another origin and one whose
sign counter went backwards.

The passkey lives in SoftAuthenticator, a software authenticator (ES256,
"none" attestation) that answers the server's WebAuthn JSON options with the
JSON a browser's PublicKeyCredential.toJSON() would send.

Needs Python 3.11 and the `cryptography` package; nothing else.
"""

import argparse
import base64
import copy
import email.utils
import hashlib
import http.client
import json
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

FLAG_UP, FLAG_UV, FLAG_BE, FLAG_BS, FLAG_AT = 0x01, 0x04, 0x08, 0x10, 0x40
COSE_ES256 = -7


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# Just enough CBOR (RFC 8949) for the COSE key and the attestation object:
# unsigned/negative ints, byte/text strings and maps, shortest heads.
def _cbor_head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | extra]) + value.to_bytes(size, "big")
    raise ValueError("integer too large for CBOR")


def cbor(item) -> bytes:
    if isinstance(item, int):
        return _cbor_head(0, item) if item >= 0 else _cbor_head(1, -1 - item)
    if isinstance(item, bytes):
        return _cbor_head(2, len(item)) + item
    if isinstance(item, str):
        raw = item.encode()
        return _cbor_head(3, len(raw)) + raw
    if isinstance(item, dict):  # written in insertion order, callers keep it canonical
        return _cbor_head(5, len(item)) + b"".join(cbor(k) + cbor(v) for k, v in item.items())
    raise TypeError(f"no CBOR encoding for {type(item).__name__}")


def _host_of(origin: str) -> str:
    return urllib.parse.urlsplit(origin).hostname or ""


class SoftAuthenticator:
    """In-memory passkeys. Knobs: user_verification, backed_up, origin,
    rp_id_override, set_counter(); clone() copies keys and counters, so the
    copy replays old counters like a cloned authenticator would."""

    def __init__(self, origin: str = "http://localhost:3000"):
        self.credentials = []  # dicts: id, key, rp_id, user_handle, counter
        self.origin = origin
        self.user_verification = True
        self.backed_up = True  # BE and BS flags: a synced passkey
        self.rp_id_override = None  # hash this RP ID instead of the options' one

    def clone(self) -> "SoftAuthenticator":
        return copy.deepcopy(self)

    def set_counter(self, counter: int) -> None:
        """Set every stored counter; the next get() sends counter + 1."""
        for cred in self.credentials:
            cred["counter"] = counter

    def credential_ids(self) -> list:
        return [b64url(c["id"]) for c in self.credentials]

    def _auth_data(self, rp_id: str, extra_flags: int, counter: int) -> bytes:
        flags = FLAG_UP | extra_flags
        if self.user_verification:
            flags |= FLAG_UV
        if self.backed_up:
            flags |= FLAG_BE | FLAG_BS
        rp_hash = hashlib.sha256((self.rp_id_override or rp_id).encode()).digest()
        return rp_hash + bytes([flags]) + (counter & 0xFFFFFFFF).to_bytes(4, "big")

    def _client_data(self, kind: str, challenge: str) -> bytes:
        # Member order as browsers emit it; the challenge is echoed as given.
        data = {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        return json.dumps(data, separators=(",", ":")).encode()

    def create(self, options: dict) -> dict:
        """Answer creation options ({"publicKey": ...} or the inner object)."""
        options = options.get("publicKey", options)
        rp_id = options.get("rp", {}).get("id") or _host_of(self.origin)
        if not any(p.get("alg") == COSE_ES256 for p in options.get("pubKeyCredParams", [])):
            raise ValueError("pubKeyCredParams does not allow ES256 (-7)")
        excluded = {unb64url(d["id"]) for d in options.get("excludeCredentials") or []}
        if any(c["rp_id"] == rp_id and c["id"] in excluded for c in self.credentials):
            raise ValueError("a credential listed in excludeCredentials is stored here")

        cred_id = secrets.token_bytes(16 + secrets.randbelow(17))
        key = ec.generate_private_key(ec.SECP256R1())
        numbers = key.public_key().public_numbers()
        cose_key = cbor({1: 2, 3: COSE_ES256, -1: 1,
                         -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})
        auth_data = (self._auth_data(rp_id, FLAG_AT, 1) + bytes(16)  # AAGUID: zeros
                     + len(cred_id).to_bytes(2, "big") + cred_id + cose_key)
        attestation = cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"])
        self.credentials.append({"id": cred_id, "key": key, "rp_id": rp_id, "counter": 1,
                                 "user_handle": unb64url(options["user"]["id"])})
        return {
            "id": b64url(cred_id), "rawId": b64url(cred_id), "type": "public-key",
            "response": {"clientDataJSON": b64url(client_data),
                         "attestationObject": b64url(attestation), "transports": ["internal"]},
            "clientExtensionResults": {"credProps": {"rk": True}},
            "authenticatorAttachment": "platform",
        }

    def get(self, options: dict) -> dict:
        """Answer request options with an assertion from the newest matching credential."""
        options = options.get("publicKey", options)
        rp_id = options.get("rpId") or _host_of(self.origin)
        allowed = {unb64url(d["id"]) for d in options.get("allowCredentials") or []}
        matching = [c for c in self.credentials
                    if c["rp_id"] == rp_id and (not allowed or c["id"] in allowed)]
        if not matching:
            raise ValueError(f"no stored credential for RP ID {rp_id!r}")
        cred = matching[-1]
        cred["counter"] = (cred["counter"] + 1) & 0xFFFFFFFF
        auth_data = self._auth_data(rp_id, 0, cred["counter"])
        client_data = self._client_data("webauthn.get", options["challenge"])
        signature = cred["key"].sign(auth_data + hashlib.sha256(client_data).digest(),
                                     ec.ECDSA(hashes.SHA256()))  # DER, as WebAuthn wants
        return {
            "id": b64url(cred["id"]), "rawId": b64url(cred["id"]), "type": "public-key",
            "response": {"clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
                         "signature": b64url(signature), "userHandle": b64url(cred["user_handle"])},
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect's Set-Cookie must be kept, so redirects are not followed.
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """HTTP with hand-kept cookies: the server's cookies are `__Host-…; Secure`,
    which http.cookiejar will not send over plain http://localhost."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.cookies = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def _remember(self, headers) -> None:
        for line in headers.get_all("Set-Cookie") or []:
            name, _, rest = line.partition("=")
            value, *attrs = rest.split(";")
            attrs = {a.strip().partition("=")[0].lower(): a.strip().partition("=")[2] for a in attrs}
            max_age = attrs.get("max-age", "").strip()
            expired = max_age.lstrip("-").isdigit() and int(max_age) <= 0
            if "expires" in attrs and not max_age:  # Max-Age wins over Expires
                try:
                    expired = email.utils.parsedate_to_datetime(attrs["expires"]).timestamp() < time.time()
                except (TypeError, ValueError):
                    pass
            if expired or not value.strip():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()

    def request(self, method: str, path: str, body=None, form: bool = False):
        """Returns (status, parsed JSON or text, headers). Connection errors propagate."""
        headers = {"Accept": "application/json"}
        data = None
        if method == "POST":
            headers["Origin"] = self.base  # the server refuses cross-site POSTs without it
            if form:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                data = urllib.parse.urlencode(body or {}).encode()
            else:
                headers["Content-Type"] = "application/json"
                data = json.dumps(body if body is not None else {}).encode()
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with self.opener.open(req, timeout=15) as resp:
                status, raw, resp_headers = resp.status, resp.read(), resp.headers
        except urllib.error.HTTPError as err:  # 3xx (not followed), 4xx, 5xx
            status, raw, resp_headers = err.code, err.read(), err.headers
        self._remember(resp_headers)
        text = raw.decode("utf-8", "replace")
        try:
            return status, json.loads(text), resp_headers
        except ValueError:
            return status, text, resp_headers


class Run:
    def __init__(self):
        self.failed = False

    def report(self, passed: bool, step: str, detail: str) -> bool:
        print(f"{'ok' if passed else 'FAIL'} {step} {detail}")
        self.failed |= not passed
        return passed


def error_of(body) -> str:
    return body.get("error", "") if isinstance(body, dict) else str(body)[:120]


def describe_options(status: int, body) -> str:
    if status == 200 and isinstance(body, dict) and "publicKey" in body:
        return f"HTTP 200 challenge {str(body['publicKey'].get('challenge'))[:12]}…"
    return f"HTTP {status} {error_of(body)!r}"


def drive(args, run: Run) -> int:
    client = Client(args.base)
    auth = SoftAuthenticator(origin=client.base)

    status, body, headers = client.request(
        "POST", "/api/sign_up", {"username": args.username, "password": args.password}, form=True)
    where = f" -> {headers.get('Location')}" if headers.get("Location") else ""
    if not run.report(status < 400 and bool(client.cookies), "sign-up",
                      f"{args.username}: HTTP {status}{where}, cookies {sorted(client.cookies)}"):
        return 1

    status, options, _ = client.request("POST", "/auth/passkeys/registration/options", {})
    if not run.report(status == 200 and "__Host-latchkey_ceremony" in client.cookies
                      and isinstance(options, dict) and "publicKey" in options,
                      "registration-options", describe_options(status, options)):
        return 1

    attestation = auth.create(options)
    status, body, _ = client.request("POST", "/auth/passkeys/registration",
                                     {"credential": attestation, "name": "Script key"})
    passkey = body.get("passkey", {}) if isinstance(body, dict) else {}
    if not run.report(status == 201 and bool(passkey), "registration",
                      f"HTTP {status} {json.dumps(passkey) if passkey else error_of(body)}"):
        return 1

    status, body, _ = client.request("POST", "/api/sign_out", {}, form=True)
    run.report(status < 400, "sign-out", f"HTTP {status}")
    client.cookies.clear()  # from here on, a fresh client that knows no one

    def fresh_options(step: str):
        status, options, _ = client.request("POST", "/auth/passkeys/authentication/options", {})
        ok = status == 200 and isinstance(options, dict) and "publicKey" in options
        return options if run.report(ok, step, describe_options(status, options)) else None

    def sign_in(credential: dict):
        return client.request("POST", "/auth/passkeys/authentication",
                              {"credential": credential, "remember": False})

    if (options := fresh_options("authentication-options")) is None:
        return 1
    assertion = auth.get(options)
    status, body, _ = sign_in(assertion)
    signed_in_as = body.get("username") if isinstance(body, dict) else None
    if not run.report(status == 200 and signed_in_as == args.username, "authentication",
                      f"HTTP {status} as {signed_in_as or error_of(body)!r}"):
        return 1

    status, body, _ = client.request("GET", "/api/me")
    me = body.get("username") if isinstance(body, dict) else body
    run.report(status == 200 and (me == args.username or args.username in str(me)),
               "me", f"HTTP {status} {me!r}")

    # Refusals: each on fresh options, without the session just made.
    client.cookies.clear()
    if fresh_options("replay-options") is not None:
        status, body, _ = sign_in(assertion)
        run.report(400 <= status < 500, "replay-refused", f"HTTP {status} {error_of(body)!r}")

    if (options := fresh_options("wrong-origin-options")) is not None:
        auth.origin = "http://evil.localhost:3000"
        forged = auth.get(options)
        auth.origin = client.base
        status, body, _ = sign_in(forged)
        run.report(status == 401, "wrong-origin-refused", f"HTTP {status} {error_of(body)!r}")

    if (options := fresh_options("lower-counter-options")) is not None:
        auth.set_counter(0)  # the server last accepted 2; this assertion carries 1
        status, body, _ = sign_in(auth.get(options))
        run.report(status == 401, "lower-counter-refused", f"HTTP {status} {error_of(body)!r}")

    return 1 if run.failed else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Sign up, register a passkey, sign out, sign in with it, and check that "
                    "replayed, wrong-origin and counter-rewound assertions are refused. Prints "
                    "'ok <step> <detail>' or 'FAIL <step> <detail>' per step. Exit status: 0 all "
                    "steps passed, 1 a step failed, 2 usage error or server unreachable.")
    parser.add_argument("--base", default="http://localhost:3000", help="server URL (default %(default)s)")
    parser.add_argument("--username", default=f"pk-{secrets.token_hex(4)}",
                        help="account to create (default pk-<random hex>)")
    parser.add_argument("--password", default="correct-horse-battery", help="its password (default %(default)s)")
    args = parser.parse_args(argv)
    if urllib.parse.urlsplit(args.base).scheme not in ("http", "https"):
        parser.error("--base must be an http:// or https:// URL")
    try:
        return drive(args, Run())
    except (urllib.error.URLError, http.client.HTTPException, ConnectionResetError, TimeoutError) as err:
        print(f"Cannot connect to {args.base}: {getattr(err, 'reason', err)}.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
