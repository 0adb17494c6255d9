// Writes ../../dpop/src/testdata/panva_dpop.json: DPoP proofs made by an
// implementation independent of ours, for the Rust checker's differential
// test (dpop-proof: tests::panva). Proofs come from panva's `dpop` (generateProof), except
// the `EdDSA`-named ones: `dpop` 2.x names Ed25519 proofs `Ed25519` (RFC 9864
// fully-specified alg), so the older polymorphic `EdDSA` name is produced by
// `jose`'s SignJWT, the library clients use to build proofs by hand.
// Thumbprints come from `jose`'s calculateJwkThumbprint and are cross-checked
// against `dpop`'s own calculateThumbprint.
//
// Run: npm install && node gen_fixtures.mjs

import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as DPoP from 'dpop';
import { SignJWT, exportJWK, calculateJwkThumbprint, decodeJwt } from 'jose';

const require = createRequire(import.meta.url);
const version = (name) => require(`${name}/package.json`).version;

// Every case: what the client signs (htu, htm, nonce, token) and what the
// server expects (url, method). `url` is always origin + path.
const cases = [
  { alg: 'ES256', htm: 'POST', htu: 'https://as.example.com/token', url: 'https://as.example.com/token' },
  { alg: 'ES256', htm: 'POST', htu: 'https://as.example.com/token', url: 'https://as.example.com/token', nonce: 'eyJ7S_zG.eyJH0-Z.HX4w-7v' },
  { alg: 'ES256', htm: 'GET', htu: 'https://rs.example.com/api/items', url: 'https://rs.example.com/api/items', accessToken: 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU' },
  // The query is part of what the client signed; the server must ignore it.
  { alg: 'ES256', htm: 'GET', htu: 'https://rs.example.com/api/items?page=2', url: 'https://rs.example.com/api/items', accessToken: 'opaque-token-1', nonce: 'n-0S6_WzA2Mj' },
  { alg: 'Ed25519', htm: 'POST', htu: 'https://as.example.com/token', url: 'https://as.example.com/token' },
  { alg: 'Ed25519', htm: 'DELETE', htu: 'https://rs.example.com/api/items/7', url: 'https://rs.example.com/api/items/7', accessToken: 'opaque-token-2', nonce: 'server-nonce-2' },
  { alg: 'EdDSA', htm: 'POST', htu: 'https://as.example.com/token', url: 'https://as.example.com/token' },
  { alg: 'EdDSA', htm: 'PUT', htu: 'https://rs.example.com:443/api/items/7', url: 'https://rs.example.com/api/items/7', accessToken: 'opaque-token-3' },
];

const b64u = (bytes) => Buffer.from(bytes).toString('base64url');
const ath = async (token) =>
  b64u(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));

async function makeProof(c, keypair, jwk) {
  if (c.alg !== 'EdDSA') {
    return DPoP.generateProof(keypair, c.htu, c.htm, c.nonce, c.accessToken);
  }
  const claims = { jti: crypto.randomUUID(), htm: c.htm, htu: c.htu };
  if (c.nonce) claims.nonce = c.nonce;
  if (c.accessToken) claims.ath = await ath(c.accessToken);
  return new SignJWT(claims)
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'EdDSA', jwk })
    .setIssuedAt()
    .sign(keypair.privateKey);
}

const proofs = [];
for (const c of cases) {
  const keyAlg = c.alg === 'EdDSA' ? 'Ed25519' : c.alg;
  const keypair = await DPoP.generateKeyPair(keyAlg, { extractable: true });
  const jwk = await exportJWK(keypair.publicKey);
  const jkt = await calculateJwkThumbprint(jwk, 'sha256');
  if (jkt !== (await DPoP.calculateThumbprint(keypair.publicKey))) {
    throw new Error(`jose and dpop disagree on the thumbprint of ${JSON.stringify(jwk)}`);
  }
  const proof = await makeProof(c, keypair, jwk);
  const { iat } = decodeJwt(proof);
  proofs.push({
    alg: c.alg,
    proof,
    method: c.htm,
    htu: c.htu,
    url: c.url,
    access_token: c.accessToken ?? null,
    nonce: c.nonce ?? null,
    iat,
    jwk,
    jkt,
  });
}

const out = {
  generator: `dpop ${version('dpop')}, jose ${version('jose')}, node ${process.version}`,
  proofs,
};
const path = new URL('../../dpop/src/testdata/panva_dpop.json', import.meta.url);
writeFileSync(path, JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${proofs.length} proofs to ${path.pathname}`);
