import { request as playwrightRequest } from '@playwright/test';

import { InspectPage } from '../pages/inspect-page';
import { signUp } from '../support/auth';
import { AUTH_COOKIE_NAMES, authCookies } from '../support/cookies';
import { authMode, javaScriptEnabled } from '../support/env';
import { expect, test } from '../support/fixtures';
import { newUser } from '../support/users';

/*
 * The inspector, in both modes, with JavaScript on and off: its sections,
 * the token opened (JWT), the tamper control, and the live revocation whose
 * old credentials then fail from anywhere.
 */

const jwt = authMode === 'jwt';

test.describe('the inspector', () => {
  test('signed out, it shows an anonymous request and no store work', { tag: ['@mode', '@js-only'] }, async ({ page }) => {
    const inspect = new InspectPage(page);
    await inspect.goto();
    await inspect.expectSections();
    await expect(inspect.viewer).toHaveText('Not signed in');
    await expect(inspect.storeOps).toHaveAttribute('data-count', '0');
    await expect(inspect.instance).not.toBeEmpty();
    await expect(inspect.cookies).toHaveCount(0);
  });

  test('signed in, it shows the cookies, the store work and what is kept', { tag: ['@mode', '@signing'] }, async ({ page, context }) => {
    const user = newUser();
    await signUp(page, user);
    const inspect = new InspectPage(page);
    await inspect.goto();
    await inspect.expectSections();
    await expect(inspect.viewer).toHaveText(`Signed in as ${user.username}`);
    await expect(inspect.cookies).toHaveCount(AUTH_COOKIE_NAMES.length);
    // Session mode looks the ID up once; JWT mode asks no store (a renewal
    // of an expired access token, in the run with 2 s tokens, is the one
    // exception, and is named).
    const ops = jwt ? /^(0 \(none\)|1 \(refresh_rotation\))$/ : /^1 \(session_lookup\)$/;
    await expect(inspect.storeOps).toHaveText(ops);
    await expect(page.getByTestId('record')).toBeVisible();
    // Sizes on the page are the cookies' own.
    const held = await authCookies(context);
    for (const name of AUTH_COOKIE_NAMES) {
      const cookie = held.get(name);
      expect(cookie, name).toBeDefined();
      const shown = inspect.cookies.filter({ has: page.locator(`code:text-is("${name}")`) });
      await expect(shown.getByTestId('cookie-bytes')).toHaveText(/^\d+ bytes$/);
      if (!jwt || name !== '__Host-latchkey_access') {
        // The access token may be renewed between the read and the page.
        const bytes = name.length + 1 + cookie!.value.length;
        await expect(shown.getByTestId('cookie-bytes')).toHaveText(`${bytes} bytes`);
      }
    }
    const html = await page.content();
    for (const cookie of held.values()) {
      expect(html.includes(cookie.value), `${cookie.name} in the page`).toBe(false);
    }
    if (javaScriptEnabled(test.info())) {
      await expect(inspect.documentCookie).toContainText('HttpOnly hides them');
    } else {
      await expect(inspect.documentCookie).toContainText('With JavaScript on');
    }
    if (jwt) {
      await expect(inspect.tokenPayload).toContainText(`"username": "${user.username}"`);
      await expect(inspect.tokenStatus).toHaveAttribute('data-valid', 'true');
      await expect(page.getByTestId('chain')).toBeVisible();
    } else {
      await expect(inspect.tokenPayload).toHaveCount(0);
    }
  });

  test('the tamper control shows the changed token refused', { tag: ['@jwt', '@signing'] }, async ({ page }) => {
    test.skip(!jwt, 'session mode has no token to open');
    const user = newUser();
    await signUp(page, user);
    const inspect = new InspectPage(page);
    await inspect.goto();
    await inspect.tamperButton.click();
    await expect(page).toHaveURL(/\/inspect\?tamper=1$/);
    await expect(inspect.tamperResult).toBeVisible();
    await expect(inspect.tamperResult).toHaveAttribute('data-accepted', 'false');
    await expect(inspect.tamperResult).toContainText('Refused (401 invalid_token)');
    // Only the copy was changed: the browser is still signed in.
    await expect(inspect.viewer).toHaveText(`Signed in as ${user.username}`);
  });

  test('signing the token out elsewhere makes the old credentials fail', { tag: '@mode' }, async ({ page, context, baseURL }) => {
    const user = newUser();
    await signUp(page, user);
    const inspect = new InspectPage(page);
    await inspect.goto();
    const before = await authCookies(context);
    await inspect.revokeButton(jwt ? 'access token' : 'session ID').click();
    await expect(page).toHaveURL(/\/inspect\?revoked=1$/);
    await expect(inspect.viewer).toHaveText('Not signed in');
    await expect(page.getByTestId('revoked-notice')).toBeVisible();
    // Without JavaScript the next page load carried the old credentials and
    // shows them refused; with it, the action's own re-check says so (the
    // page's next calls may already go without them).
    const told = javaScriptEnabled(test.info()) ? page.getByTestId('revoke-result') : inspect.refusal;
    await expect(told).toContainText(jwt ? /revocation set/ : /no (session )?record has/i);
    // The same credentials, from a client that is not this browser.
    const header = [...before.values()].map((c) => `${c.name}=${c.value}`).join('; ');
    const api = await playwrightRequest.newContext({ baseURL });
    try {
      const me = await api.get('/api/me', { headers: { cookie: header } });
      expect(me.status()).toBe(401);
    } finally {
      await api.dispose();
    }
  });

  test('screenshots at desktop and phone width', { tag: ['@mode', '@js-only'] }, async ({ page }, testInfo) => {
    await signUp(page, newUser());
    for (const [name, width, height] of [
      ['desktop', 1280, 800],
      ['phone', 390, 844],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const path of ['/inspect', '/tradeoffs']) {
        await page.goto(path);
        await expect(page.locator('main')).toHaveAttribute('data-hydrated', 'true');
        const file = testInfo.outputPath(`${authMode}${path.replace('/', '-')}-${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        await testInfo.attach(file.split('/').pop()!, { path: file, contentType: 'image/png' });
      }
    }
  });
});

test.describe('the trade-offs page', () => {
  test('names the eight claims, each with a live and a measured figure', { tag: ['@mode', '@js-only'] }, async ({ page }) => {
    await page.goto('/tradeoffs');
    const rows = page.getByTestId('claim');
    await expect(rows).toHaveCount(8);
    for (let i = 0; i < 8; i++) {
      await expect(rows.nth(i).getByTestId('live')).not.toBeEmpty();
      await expect(rows.nth(i).getByTestId('measured')).not.toBeEmpty();
    }
    await expect(page.getByTestId('measured-source')).toContainText('cores');
    await expect(page.getByTestId('first-visit')).toContainText(/a first visit .* sends \d+ KB and costs the server [\d.]+ ms of CPU/);
  });
});
