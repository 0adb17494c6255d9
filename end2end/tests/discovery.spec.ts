import crypto from 'node:crypto';

import { expect, test } from '../support/fixtures';

import { signUp } from '../support/auth';
import { authCookies } from '../support/cookies';
import { authMode } from '../support/env';
import { newUser } from '../support/users';

/*
 * What another service sees: the browser's own access token, checked with
 * nothing but the key Latchkey publishes (EdDSA), as any service could.
 * Request-level checks: run once, in the JavaScript project (`@js-only`).
 */

const ACCESS = '__Host-latchkey_access';

function decode(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

test.describe('discovery', () => {
  test("the browser's access token verifies with the published key alone", { tag: ['@eddsa', '@js-only'] }, async ({
    page,
    context,
    request,
    baseURL,
  }) => {
    const user = newUser();
    await signUp(page, user);
    const token = (await authCookies(context)).get(ACCESS)!.value;

    const metadata = await (await request.get('/.well-known/oauth-authorization-server')).json();
    expect(metadata.issuer).toBe(baseURL);
    const jwks = await request.get(metadata.jwks_uri);
    expect(jwks.status()).toBe(200);
    expect(jwks.headers()['cache-control']).toMatch(/max-age=\d+/);
    const { keys } = await jwks.json();

    const [head, payload, signature] = token.split('.');
    const header = decode(head);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    const jwk = keys.find((k: { kid: string }) => k.kid === header.kid);
    expect(jwk, 'the signing key is published').toBeDefined();
    expect(jwk.d, 'no private part').toBeUndefined();
    const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
    const signed = Buffer.from(`${head}.${payload}`);
    expect(crypto.verify(null, signed, key, Buffer.from(signature, 'base64url'))).toBe(true);
    expect(decode(payload)).toMatchObject({ username: user.username, iss: baseURL });

    // One character of the payload changed: the signature no longer holds.
    const forged = Buffer.from(`${head}.${payload.slice(0, -2)}${payload.slice(-2) === 'AA' ? 'BA' : 'AA'}`);
    expect(crypto.verify(null, forged, key, Buffer.from(signature, 'base64url'))).toBe(false);
  });

  test('without EdDSA keys nothing is published, and the page says why', { tag: ['@mode', '@js-only'] }, async ({ request }) => {
    const res = await request.get('/.well-known/jwks.json');
    expect(res.status()).toBe(404);
    const { message } = await res.json();
    expect(message).toMatch(authMode === 'jwt' ? /never published/ : /session mode/);
  });
});
