#!/usr/bin/env python3
"""Drive a running Latchkey server (JWT mode) through DPoP-bound tokens.

It shows, from outside the server, that DPoP (RFC 9449) works end to end over
the public HTTP endpoints: make an account, get tokens from /auth/token with a
DPoP proof, see that the access token carries the key's thumbprint
(cnf.jkt), call /api/me with it, and that the server refuses every altered
proof (wrong method, wrong URL, a replay, an old iat, a forged signature,
another key, a wrong ath, alg "none", an HMAC), the bound token sent as a
plain Bearer token, a refresh without a proof or with another key's proof,
and the access token once its refresh token is revoked.

When the server demands nonces (LATCHKEY_DPOP_NONCES), the first token
request is told use_dpop_nonce; the script takes the nonce handed out and
puts the latest one in every proof from then on.

With --proofs N it also times N more /api/me calls with fresh proofs against
N calls with an unbound Bearer token (one kept-alive connection each; each
proof is signed before its request's clock starts).

The client key is an ES256 (P-256) key made here; nothing is stored. Prints
'ok <step> <detail>' per step; on the first unexpected answer it prints
'FAIL <step> ...' with the request and the answer, and exits 1.

Needs Python 3 (tested with 3.11) and the `cryptography` package; nothing else.
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import math
import secrets
import sys
import time
import urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

TIMEOUT = 10  # seconds, every request
FORM_COOKIE = "__Host-latchkey_form"  # set when a plain form post is refused


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def compact_json(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


# --- DPoP proofs (RFC 9449 §4) -------------------------------------------

def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def public_jwk(key) -> dict:
    """The public half of a P-256 key as a JWK (RFC 7518 §6.2.1)."""
    numbers = key.public_key().public_numbers()
    return {"kty": "EC", "crv": "P-256",
            "x": b64url(numbers.x.to_bytes(32, "big")),
            "y": b64url(numbers.y.to_bytes(32, "big"))}


def jwk_thumbprint(jwk: dict) -> str:
    """RFC 7638: SHA-256 of the required members, sorted, no whitespace."""
    required = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


def access_token_hash(access_token: str) -> str:
    """The `ath` claim: base64url(SHA-256(ASCII of the access token))."""
    return b64url(hashlib.sha256(access_token.encode("ascii")).digest())


def es256_sign(key, data: bytes) -> bytes:
    """A JWS ES256 signature: r || s, 32 bytes each (cryptography gives DER)."""
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def compact_jws(header: dict, payload: dict, sign) -> str:
    """header.payload.signature; `sign` maps the signing input to bytes."""
    signing_input = b64url(compact_json(header)) + "." + b64url(compact_json(payload))
    return signing_input + "." + b64url(sign(signing_input.encode("ascii")))


# The server's latest DPoP nonce (RFC 9449 §8), from the `DPoP-Nonce` header
# of its answers; every proof made afterwards carries it.
NONCE = None


def proof_claims(htm: str, htu: str, access_token=None, *, iat=None, jti=None, ath=None) -> dict:
    """A proof's payload; `ath` is added when there is an access token (or
    given outright, to send a wrong one); `nonce` once the server gave one."""
    claims = {"jti": jti or secrets.token_urlsafe(16), "htm": htm, "htu": htu,
              "iat": int(time.time()) if iat is None else iat}
    if NONCE is not None:
        claims["nonce"] = NONCE
    if ath is None and access_token is not None:
        ath = access_token_hash(access_token)
    if ath is not None:
        claims["ath"] = ath
    return claims


def make_proof(key, htm: str, htu: str, access_token=None, *, iat=None, jti=None, ath=None,
               jwk=None) -> str:
    """A DPoP proof signed ES256 by `key`. `jwk` overrides the public key the
    header carries (another key's, to forge a signature)."""
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk or public_jwk(key)}
    claims = proof_claims(htm, htu, access_token, iat=iat, jti=jti, ath=ath)
    return compact_jws(header, claims, lambda data: es256_sign(key, data))


def unsigned_proof(jwk: dict, claims: dict) -> str:
    """alg "none" with an empty signature: what no server may accept."""
    return compact_jws({"typ": "dpop+jwt", "alg": "none", "jwk": jwk}, claims, lambda _: b"")


def hmac_proof(secret: bytes, jwk: dict, claims: dict) -> str:
    """alg HS256 keyed with `secret`, carrying the EC jwk: the old algorithm
    confusion, where a verifier uses the public key as an HMAC secret."""
    return compact_jws({"typ": "dpop+jwt", "alg": "HS256", "jwk": jwk}, claims,
                       lambda data: hmac.new(secret, data, hashlib.sha256).digest())


def jwt_claims(token: str):
    """The payload of a compact JWT, or None when `token` is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(unb64url(parts[1]))
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None


def bound_jkt(token: str):
    claims = jwt_claims(token) or {}
    cnf = claims.get("cnf")
    return cnf.get("jkt") if isinstance(cnf, dict) else None


# --- HTTP ------------------------------------------------------------------

class NoAnswer(Exception):
    """The server could not be reached or did not answer in time."""


class Answer:
    def __init__(self, method, url, status, headers, raw):
        self.method, self.url, self.status, self.headers = method, url, status, headers
        self.text = raw.decode("utf-8", "replace")
        try:
            self.json = json.loads(self.text)
        except ValueError:
            self.json = None

    def field(self, name):
        return self.json.get(name) if isinstance(self.json, dict) else None

    def header_values(self, name) -> list:
        return self.headers.get_all(name) or []

    def dpop_challenge(self):
        """The WWW-Authenticate value naming the DPoP scheme, if any."""
        for value in self.header_values("WWW-Authenticate"):
            scheme = value.strip().split(" ", 1)[0].split(",", 1)[0]
            if scheme.lower() == "dpop":
                return value.strip()
        return None

    def describe(self) -> str:
        body = self.text if len(self.text) <= 2000 else self.text[:2000] + "…"
        lines = [f"  {self.method} {self.url} -> HTTP {self.status}"]
        lines += [f"  WWW-Authenticate: {v}" for v in self.header_values("WWW-Authenticate")]
        lines.append(f"  body: {body}" if body else "  body: (empty)")
        return "\n".join(lines)


class Client:
    """One request per connection, except `keep_alive=True` requests, which
    share one kept-alive connection (the benchmark's)."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        parts = urllib.parse.urlsplit(self.base)
        self._https = parts.scheme == "https"
        self._netloc = parts.netloc
        self._prefix = parts.path
        self._kept = None

    def url(self, path: str) -> str:
        return self.base + path

    def _connect(self):
        cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        return cls(self._netloc, timeout=TIMEOUT)

    def close(self):
        if self._kept is not None:
            self._kept.close()
            self._kept = None

    def request(self, method, path, headers=None, form=None, keep_alive=False) -> Answer:
        send = {"Accept": "application/json"}
        send.update(headers or {})
        body = None
        if form is not None:
            send["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(form).encode()
        if keep_alive:
            self._kept = self._kept or self._connect()
            conn = self._kept
        else:
            conn = self._connect()
        try:
            conn.request(method, self._prefix + path, body=body, headers=send)
            resp = conn.getresponse()
            raw = resp.read()
        except (OSError, http.client.HTTPException) as err:
            if keep_alive:
                self.close()
            raise NoAnswer(f"{method} {self.url(path)}: {str(err) or type(err).__name__}") from err
        finally:
            if not keep_alive:
                conn.close()
        nonce = resp.msg.get("DPoP-Nonce")
        if nonce:
            global NONCE
            NONCE = nonce
        return Answer(method, self.url(path), resp.status, resp.msg, raw)


# --- The run ---------------------------------------------------------------

class Failure(Exception):
    pass


def ok(step: str, detail: str = "") -> None:
    print(f"ok {step} {detail}".rstrip(), flush=True)


def expect(step: str, passed: bool, expected: str, answer=None) -> None:
    """Stops the run at the first unexpected answer, saying what was wanted."""
    if not passed:
        message = f"FAIL {step}: expected {expected}"
        if answer is not None:
            message += "\n" + answer.describe()
        raise Failure(message)


def percentile(values, q):
    """Nearest-rank percentile `q` (0-100) of `values`, as bench_http.py."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def challenge_error(answer: Answer) -> str:
    """The error="..." a WWW-Authenticate challenge names, or ''."""
    value = answer.dpop_challenge() or ""
    marker = 'error="'
    start = value.find(marker)
    if start < 0:
        return ""
    start += len(marker)
    return value[start:value.find('"', start)]


class Run:
    def __init__(self, client: Client):
        self.client = client
        self.token_url = client.url("/auth/token")
        self.me_url = client.url("/api/me")

    # Each call below returns the answer; checks stay with the steps.
    def token(self, form: dict, proof=None) -> Answer:
        return self.client.request("POST", "/auth/token", {"DPoP": proof} if proof else None, form)

    def me(self, authorization: str, proof=None, keep_alive=False) -> Answer:
        headers = {"Authorization": authorization}
        if proof is not None:
            headers["DPoP"] = proof
        return self.client.request("GET", "/api/me", headers, keep_alive=keep_alive)

    def expect_tokens(self, step: str, answer: Answer, token_type: str = "DPoP") -> tuple:
        """(access, refresh) from a 200 token answer of `token_type`."""
        expect(step, answer.status == 200 and answer.field("token_type") == token_type
               and isinstance(answer.field("access_token"), str)
               and isinstance(answer.field("refresh_token"), str),
               f'HTTP 200 with token_type "{token_type}", an access_token and a refresh_token',
               answer)
        return answer.field("access_token"), answer.field("refresh_token")

    def expect_bound(self, step: str, access: str, jkt: str, answer: Answer) -> None:
        expect(step, jwt_claims(access) is not None,
               "the access token to be a JWT (is the server in JWT mode?)", answer)
        expect(step, bound_jkt(access) == jkt,
               f"the access token's cnf.jkt to be {jkt}, got {bound_jkt(access)!r}", answer)

    def expect_refused(self, name: str, access: str, proof: str) -> None:
        answer = self.me(f"DPoP {access}", proof)
        step = f"refused-{name}"
        expect(step, answer.status == 401 and answer.dpop_challenge() is not None,
               "HTTP 401 with a WWW-Authenticate: DPoP challenge", answer)
        ok(step, f"{answer.status} {challenge_error(answer)}")

    def expect_refresh_refused(self, step: str, refresh: str, proof) -> None:
        answer = self.token({"grant_type": "refresh_token", "refresh_token": refresh}, proof)
        expect(step, answer.status == 400 and answer.field("error") == "invalid_dpop_proof",
               'HTTP 400 with {"error": "invalid_dpop_proof"}', answer)
        ok(step, f"{answer.status} {answer.field('error')}")


def sign_up(client: Client, username: str, password: str) -> None:
    """As scripts/passkey_client.py: the sign-up form, posted as a script.
    Success is a redirect to /account; a refused form comes back with its
    error in a cookie (or, with no Referer, as an error status)."""
    answer = client.request("POST", "/api/sign_up", {"Origin": client.base},
                            {"username": username, "password": password})
    location = answer.headers.get("Location") or ""
    refused = any(c.startswith(FORM_COOKIE + "=") and not c.startswith(FORM_COOKIE + "=;")
                  for c in answer.header_values("Set-Cookie"))
    expect("sign-up", answer.status < 400 and not refused and "__err" not in location,
           "the account to be made (HTTP 2xx/3xx, no refused-form cookie)", answer)
    ok("sign-up", f"{username}: HTTP {answer.status}" + (f" -> {location}" if location else ""))


def bench(run: Run, n: int, access: str, key, username: str, password: str) -> None:
    """N /api/me calls with fresh proofs, then N with an unbound Bearer token."""
    latencies = []
    for _ in range(n):
        proof = make_proof(key, "GET", run.me_url, access)
        start = time.perf_counter()
        answer = run.me(f"DPoP {access}", proof, keep_alive=True)
        latencies.append((time.perf_counter() - start) * 1000)
        expect("bench-dpop", answer.status == 200, "HTTP 200", answer)
    ok("bench-dpop", f"p50_ms={percentile(latencies, 50):.3f} p99_ms={percentile(latencies, 99):.3f}")

    # A password grant without a DPoP header: an unbound Bearer token.
    answer = run.token({"grant_type": "password", "username": username, "password": password})
    bearer, _ = run.expect_tokens("bench-bearer", answer, "Bearer")
    expect("bench-bearer", bound_jkt(bearer) is None,
           "a token issued without a proof to carry no cnf.jkt", answer)
    latencies = []
    for _ in range(n):
        start = time.perf_counter()
        answer = run.me(f"Bearer {bearer}", keep_alive=True)
        latencies.append((time.perf_counter() - start) * 1000)
        expect("bench-bearer", answer.status == 200, "HTTP 200", answer)
    run.client.close()
    ok("bench-bearer", f"p50_ms={percentile(latencies, 50):.3f} p99_ms={percentile(latencies, 99):.3f}")


def drive(args) -> None:
    client = Client(args.base)
    run = Run(client)
    username = f"dpop-{secrets.token_hex(5)}"
    password = secrets.token_urlsafe(24)

    # 1. An account.
    sign_up(client, username, password)

    # 2. The client's key.
    key = new_key()
    jwk = public_jwk(key)
    jkt = jwk_thumbprint(jwk)
    ok("key", f"ES256 jkt={jkt}")

    # 3. Tokens bound to the key.
    password_grant = {"grant_type": "password", "username": username, "password": password}
    answer = run.token(password_grant, make_proof(key, "POST", run.token_url))
    if answer.status == 400 and answer.field("error") == "use_dpop_nonce":
        # The server demands nonces: it just handed one out; try again.
        expect("nonce", NONCE is not None, "a DPoP-Nonce header with use_dpop_nonce", answer)
        ok("nonce", NONCE)
        answer = run.token(password_grant, make_proof(key, "POST", run.token_url))
    access, refresh = run.expect_tokens("token", answer)
    ok("token", f"token_type=DPoP expires_in={answer.field('expires_in')}")
    run.expect_bound("bound", access, jkt, answer)
    ok("bound", f"cnf.jkt={jkt}")

    # 4. The bound token, with a fresh proof.
    good = make_proof(key, "GET", run.me_url, access)
    answer = run.me(f"DPoP {access}", good)
    expect("me", answer.status == 200 and answer.field("username") == username,
           f"HTTP 200 naming {username}", answer)
    ok("me", username)

    # 5. Altered proofs. The replay goes first, while its iat is still fresh
    # (the benchmark below may take a while).
    run.expect_refused("replay", access, good)

    if args.proofs > 0:
        bench(run, args.proofs, access, key, username, password)

    other = new_key()
    now = int(time.time())
    run.expect_refused("method", access, make_proof(key, "POST", run.me_url, access))
    run.expect_refused("url", access, make_proof(key, "GET", client.url("/api/devices"), access))
    run.expect_refused("old-iat", access, make_proof(key, "GET", run.me_url, access, iat=now - 600))
    run.expect_refused("forged-signature", access,
                       make_proof(other, "GET", run.me_url, access, jwk=jwk))
    run.expect_refused("other-key", access, make_proof(other, "GET", run.me_url, access))
    run.expect_refused("ath", access, make_proof(key, "GET", run.me_url, access,
                                                 ath=access_token_hash("not the access token")))
    run.expect_refused("alg-none", access,
                       unsigned_proof(jwk, proof_claims("GET", run.me_url, access)))
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    run.expect_refused("hmac", access,
                       hmac_proof(public_pem, jwk, proof_claims("GET", run.me_url, access)))

    # 6. The bound token without its proof, as a plain Bearer token.
    answer = run.me(f"Bearer {access}")
    expect("refused-bearer", answer.status == 401, "HTTP 401", answer)
    ok("refused-bearer", str(answer.status))

    # 7. Refreshing needs a proof by the same key.
    answer = run.token({"grant_type": "refresh_token", "refresh_token": refresh},
                       make_proof(key, "POST", run.token_url))
    access, refresh = run.expect_tokens("refresh", answer)
    run.expect_bound("refresh", access, jkt, answer)
    ok("refresh", f"token_type=DPoP cnf.jkt={jkt}")

    run.expect_refresh_refused("refresh-needs-proof", refresh, None)
    run.expect_refresh_refused("refresh-other-key-refused", refresh,
                               make_proof(other, "POST", run.token_url))

    answer = run.token({"grant_type": "refresh_token", "refresh_token": refresh},
                       make_proof(key, "POST", run.token_url))
    access, refresh = run.expect_tokens("refresh-after-refusals", answer)
    run.expect_bound("refresh-after-refusals", access, jkt, answer)
    ok("refresh-after-refusals", f"{answer.status} cnf.jkt={jkt}")

    # 8. Signing out ends the access token too.
    answer = client.request("POST", "/auth/revoke", None, {"token": refresh})
    expect("revoke", answer.status == 200, "HTTP 200", answer)
    answer = run.me(f"DPoP {access}", make_proof(key, "GET", run.me_url, access))
    expect("revoked", answer.status == 401,
           "HTTP 401 for the access token of a revoked refresh token", answer)
    ok("revoked", str(answer.status))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Sign up, get DPoP-bound tokens, use and refresh them, and check that "
                    "altered proofs, a Bearer downgrade and proof-less refreshes are refused. "
                    "Prints 'ok <step> <detail>' per step, or 'FAIL <step>: ...' with the "
                    "request and answer at the first unexpected one. Exit status: 0 all steps "
                    "passed, 1 a step failed, 2 usage error or server unreachable.")
    parser.add_argument("--base", required=True,
                        help="server URL, equal to its public origin (e.g. http://127.0.0.1:3000)")
    parser.add_argument("--proofs", type=int, default=0, metavar="N",
                        help="after /api/me, time N more calls with fresh proofs and N with an "
                             "unbound Bearer token (default 0: skipped)")
    args = parser.parse_args(argv)
    if urllib.parse.urlsplit(args.base).scheme not in ("http", "https"):
        parser.error("--base must be an http:// or https:// URL")
    if args.proofs < 0:
        parser.error("--proofs must be 0 or more")
    try:
        drive(args)
    except Failure as failure:
        print(failure, flush=True)
        return 1
    except NoAnswer as err:
        print(f"Cannot reach {args.base}: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
