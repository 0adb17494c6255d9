import { expect, test } from '../support/fixtures';
import { ActivityPage } from '../pages/activity-page';
import { Header } from '../pages/header';
import { SecurityPage } from '../pages/security-page';
import { expectSignedInOnAccount, signIn, signUp, signUpWithPasskey } from '../support/auth';
import { javaScriptEnabled, settled } from '../support/env';
import { newUser } from '../support/users';
import {
  credentials,
  localhostURL,
  userVerified,
  virtualAuthenticator,
  withoutAutofill,
} from '../support/webauthn';

/*
 * Passkeys in a real browser: Chromium's virtual authenticator makes and
 * uses them on `http://localhost:<port>` (browsers refuse WebAuthn on an IP
 * address). A passkey is a way to prove who one is; how the sign-in is then
 * remembered is the mode's, so the ceremonies run in both modes (`@mode`).
 * They need JavaScript (`@js-only`); what a browser without it is told is
 * checked on its own.
 */

test.describe('passkeys', () => {
  test.use({ baseURL: localhostURL() });

  test('add a passkey, sign out, sign in with it without a username', { tag: ['@mode', '@js-only'] }, async ({ page }, testInfo) => {
    await virtualAuthenticator(page);
    await withoutAutofill(page);
    const user = newUser();
    await signUp(page, user);
    const security = new SecurityPage(page);
    await security.goto();
    await expect(page.getByRole('heading', { name: 'No passkeys yet' })).toBeVisible();
    await security.addPasskey('Work laptop', user.password);
    await expect(security.notice).toContainText('Your passkey was added');
    await expect(security.passkey('Work laptop')).toContainText('On one device');
    await expect(security.passkey('Work laptop')).toContainText('Not yet');
    // Kept as test artifacts, to look at: the page with a passkey, both widths.
    for (const [name, width, height] of [['desktop', 1280, 800], ['phone', 390, 844]] as const) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: testInfo.outputPath(`security-${name}.png`), fullPage: true });
    }

    await new Header(page).signOutButton.click();
    await new Header(page).expectAnonymous();
    await page.goto('/login');
    await settled(page);
    for (const [name, width, height] of [['desktop', 1280, 800], ['phone', 390, 844]] as const) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: testInfo.outputPath(`login-${name}.png`), fullPage: true });
    }
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectSignedInOnAccount(page, user.username.toLowerCase());

    const activity = new ActivityPage(page);
    await activity.goto();
    await expect(page.getByText(/Signed in with a passkey/)).toBeVisible();
    await expect(page.getByText(/Passkey added on/)).toBeVisible();
  });

  test('the username field offers the passkey (autofill)', { tag: ['@mode', '@js-only'] }, async ({ page }) => {
    await virtualAuthenticator(page);
    const user = newUser();
    await signUpWithPasskey(page, user, 'Phone');
    // The sign-in page asks for a passkey with `mediation: "conditional"`
    // as it opens; the virtual authenticator answers it as a person picking
    // the passkey from the field's suggestions would: no button, no name.
    const options = page.waitForRequest('**/auth/passkeys/authentication/options');
    await page.goto('/login');
    await options;
    await expectSignedInOnAccount(page, user.username.toLowerCase());
  });

  test('a removed passkey, or one without user verification, is refused', { tag: ['@mode', '@js-only'] }, async ({ page }) => {
    const key = await virtualAuthenticator(page);
    await withoutAutofill(page);
    const user = newUser();
    await signUp(page, user);
    const security = new SecurityPage(page);
    await security.goto();
    await security.addPasskey('Old key', user.password);
    await security.remove('Old key', user.password);
    await expect(security.notice).toContainText('cannot sign in any more');
    // The authenticator still holds the key; the server no longer knows it.
    expect(await credentials(key)).toHaveLength(1);

    await new Header(page).signOutButton.click();
    await new Header(page).expectAnonymous();
    await page.goto('/login');
    await settled(page);
    const status = page.locator('#passkey-status');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(status).toContainText('That passkey could not sign you in');
    await new Header(page).expectAnonymous();

    // A new one, then the screen lock not passed: refused too.
    await signIn(page, user);
    await security.goto();
    await security.addPasskey('New key', user.password);
    await new Header(page).signOutButton.click();
    await new Header(page).expectAnonymous();
    await userVerified(key, false);
    await page.goto('/login');
    await settled(page);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(status).not.toHaveText('Waiting for your passkey…');
    await expect(status).toContainText(/could not sign you in|cancelled/);
    await new Header(page).expectAnonymous();
  });

  test('a cloned passkey is refused, and the activity page says so', { tag: ['@mode', '@js-only'] }, async ({ browser, page }) => {
    const key = await virtualAuthenticator(page);
    const user = newUser();
    await signUp(page, user);
    const security = new SecurityPage(page);
    await security.goto();
    await security.addPasskey('Copied key', user.password);
    // A copy of the key as it is now, in another browser.
    const [credential] = await credentials(key);
    const other = await browser.newContext({ baseURL: localhostURL() });
    const copyPage = await other.newPage();
    const copy = await virtualAuthenticator(copyPage);
    await copy.cdp.send('WebAuthn.addCredential', { authenticatorId: copy.id, credential });

    // The original signs in (by autofill), moving the count on; the copy,
    // behind, is refused.
    await new Header(page).signOutButton.click();
    await new Header(page).expectAnonymous();
    await page.goto('/login');
    await expectSignedInOnAccount(page, user.username.toLowerCase());
    await copyPage.goto('/login');
    await expect(copyPage.locator('#passkey-status')).toContainText('That passkey could not sign you in');
    await new Header(copyPage).expectAnonymous();
    await other.close();

    await new ActivityPage(page).goto();
    await expect(page.getByText(/a copy of it may exist/)).toBeVisible();
  });

  test('on an IP address the sign-in page says where passkeys work', { tag: '@js-only' }, async ({ page }) => {
    const ip = `http://127.0.0.1:${process.env.E2E_PORT}`;
    await page.goto(`${ip}/login`);
    await settled(page);
    const status = page.locator('#passkey-status');
    await expect(status).toContainText('Browsers refuse passkeys on an IP address');
    await expect(status.getByRole('link')).toHaveAttribute('href', `${localhostURL()}/login`);
  });

  test('without JavaScript the pages say passkeys need it, and the rest works', async ({ page }, testInfo) => {
    await page.goto('/login');
    await settled(page);
    const hint = page.getByText('Signing in with a passkey needs JavaScript.');
    if (javaScriptEnabled(testInfo)) {
      await expect(hint).toBeHidden();
      return;
    }
    await expect(hint).toBeVisible();
    const user = newUser();
    await signUp(page, user);
    const security = new SecurityPage(page);
    await security.goto();
    await expect(security.needsJs).toBeVisible();
    await security.add.click();
    await expect(security.notice).toContainText('Adding a passkey needs JavaScript');
  });
});
