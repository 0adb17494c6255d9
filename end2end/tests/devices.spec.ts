import type { Browser, BrowserContext, Page, TestInfo } from '@playwright/test';

import { expect, test } from '../support/fixtures';
import { ActivityPage } from '../pages/activity-page';
import { DevicesPage } from '../pages/devices-page';
import { Header } from '../pages/header';
import { LoginPage } from '../pages/login-page';
import { expectAccountNeedsSignIn, signIn, signUp } from '../support/auth';
import { authCookies } from '../support/cookies';
import { javaScriptEnabled, REAUTH_WINDOW_MS, settled } from '../support/env';
import { newUser, type Credentials } from '../support/users';

/*
 * The devices and activity pages, with JavaScript on and off: a second
 * browser (its own cookie jar, a Firefox user agent) signs in to the same
 * account, the first sees both and ends the second, which is at the sign-in
 * page on its next navigation; the activity page tells the story.
 */

const FIREFOX_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const FIREFOX = 'Firefox 133 on Windows 10';
const SAFARI_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 ' +
  '(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const SAFARI = 'Safari 17 on iPhone';

/** A second browser, as `userAgent`, signed in to `user`. */
async function otherDevice(
  browser: Browser,
  baseURL: string | undefined,
  testInfo: TestInfo,
  user: Credentials,
  userAgent: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL,
    userAgent,
    javaScriptEnabled: javaScriptEnabled(testInfo),
  });
  const page = await context.newPage();
  await signIn(page, user, { keep: true });
  return { context, page };
}

async function screenshots(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: testInfo.outputPath(`${name}-desktop.png`), fullPage: true });
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: testInfo.outputPath(`${name}-phone.png`), fullPage: true });
  if (desktop) await page.setViewportSize(desktop);
}

test.describe('devices and activity', () => {
  test('end another device: it is signed out on its next navigation, and activity says so', { tag: '@mode' }, async ({
    page,
    browser,
    baseURL,
  }, testInfo) => {
    const user = newUser();
    await signUp(page, user);
    const laptop = await otherDevice(browser, baseURL, testInfo, user, FIREFOX_UA);

    const devices = new DevicesPage(page);
    await new Header(page).devicesLink.click();
    await expect(devices.heading).toBeVisible();
    await settled(page);
    await expect(devices.rows).toHaveCount(2);
    await expect(devices.current).toHaveCount(1);
    await expect(devices.current).toContainText('Until the browser closes');
    await expect(devices.row(FIREFOX)).toContainText('Kept signed in');
    await expect(devices.row(FIREFOX)).not.toContainText('This device');
    await screenshots(page, testInfo, 'devices');

    await devices.signOut(FIREFOX);
    await expect(devices.notice).toHaveText('That device was signed out.');
    await expect(devices.rows).toHaveCount(1);
    await expect(devices.row(FIREFOX)).toHaveCount(0);

    // The laptop is out on its next request.
    await expectAccountNeedsSignIn(laptop.page);
    await laptop.context.close();

    const activity = new ActivityPage(page);
    await new Header(page).activityLink.click();
    await expect(activity.heading).toBeVisible();
    await settled(page);
    // The sign-up signed this browser in; then the laptop.
    await expect(activity.withText('Signed in from a browser')).toHaveCount(2);
    await expect(activity.withText('Account created')).toHaveCount(1);
    // Newest first: the revocation heads the list, naming the laptop.
    await expect(activity.events.first()).toContainText(`You signed out ${FIREFOX} (device `);
    await expect(activity.withText(/Signed in from a browser/).first()).toContainText(FIREFOX);
    await screenshots(page, testInfo, 'activity');
  });

  test('sign out all other devices, then everywhere after confirming the password', { tag: '@mode' }, async ({ page, browser, baseURL }, testInfo) => {
    const user = newUser();
    await signUp(page, user);
    const signedUpAt = Date.now();
    const others = [
      await otherDevice(browser, baseURL, testInfo, user, FIREFOX_UA),
      await otherDevice(browser, baseURL, testInfo, user, SAFARI_UA),
    ];
    const devices = new DevicesPage(page);
    await devices.goto();
    await expect(devices.rows).toHaveCount(3);
    await expect(devices.row(SAFARI)).toHaveCount(1);

    await devices.signOutOthersButton.click();
    await expect(devices.notice).toHaveText('2 other devices were signed out.');
    await expect(devices.rows).toHaveCount(1);
    for (const other of others) {
      await expectAccountNeedsSignIn(other.page);
    }

    // Sign the others in again, then end everything, this device too: a
    // sensitive action, and this sign-in is older than the window by then,
    // so the form asks for the password first.
    for (const other of others) {
      await signIn(other.page, user);
    }
    await page.waitForTimeout(Math.max(0, signedUpAt + REAUTH_WINDOW_MS + 1_000 - Date.now()));
    await devices.goto();
    await expect(devices.rows).toHaveCount(3);
    await expect(devices.confirmPassword).toBeVisible();
    await screenshots(page, testInfo, 'devices-confirm');
    // Without it, and with a wrong one: refused on the field, nothing ends.
    await devices.signOutEverywhereButton.click();
    await expect(devices.confirmError).toContainText('enter your password to confirm it is you');
    await devices.confirmPassword.fill('not-the-password');
    await devices.signOutEverywhereButton.click();
    await expect(devices.confirmError).toHaveText('That password is not correct.');
    await expect(devices.confirmPassword).toHaveAttribute('aria-invalid', 'true');
    await devices.goto();
    await expect(devices.rows).toHaveCount(3);
    await devices.confirmPassword.fill(user.password);
    await devices.signOutEverywhereButton.click();
    await expect(page).toHaveURL('/login?ended=everywhere');
    await expect(page.getByRole('main').getByRole('status')).toHaveText(
      'You were signed out everywhere, on this device too.',
    );
    await new Header(page).expectAnonymous();
    await expectAccountNeedsSignIn(page);
    for (const other of others) {
      await expectAccountNeedsSignIn(other.page);
      await other.context.close();
    }
  });

  test('"keep me signed in" decides whether the cookies outlive the browser', { tag: '@mode' }, async ({
    page,
    context,
  }) => {
    const user = newUser();
    await signUp(page, user);
    for (const cookie of (await authCookies(context)).values()) {
      expect(cookie.expires, `${cookie.name} ends with the browser`).toBe(-1);
    }
    await context.clearCookies();
    const login = new LoginPage(page);
    await login.goto();
    await expect(login.keep).not.toBeChecked();
    await screenshots(page, test.info(), 'login');
    await signIn(page, user, { keep: true });
    const kept = await authCookies(context);
    expect(kept.size).toBeGreaterThan(0);
    for (const cookie of kept.values()) {
      expect(cookie.expires, `${cookie.name} outlives the browser`).toBeGreaterThan(
        Date.now() / 1000,
      );
    }
    const devices = new DevicesPage(page);
    await devices.goto();
    await expect(devices.current).toContainText('Kept signed in');
  });

  test('a reused refresh cookie shows in activity as reuse detected', { tag: '@jwt' }, async ({ page, context }) => {
    const accessTtl = Number.parseInt(process.env.LATCHKEY_ACCESS_TTL ?? '', 10);
    const grace = Number.parseInt(process.env.LATCHKEY_REFRESH_GRACE ?? '', 10);
    test.skip(!(accessTtl <= 5 && grace <= 2), 'needs short LATCHKEY_ACCESS_TTL and LATCHKEY_REFRESH_GRACE');
    const REFRESH = '__Host-latchkey_refresh';
    const user = newUser();
    await signUp(page, user);
    // A kept sign-in: the browser drops the access cookie when it expires
    // (one not kept is sent on and accepted within the 5 s clock leeway).
    await context.clearCookies();
    await signIn(page, user, { keep: true });
    const first = (await authCookies(context)).get(REFRESH)!;
    // The access token expires and the server rotates the refresh token.
    await page.waitForTimeout((accessTtl + 1) * 1000);
    await page.reload();
    await settled(page);
    // Past the grace window the first refresh token comes back.
    await page.waitForTimeout((grace + 1) * 1000);
    await context.clearCookies();
    await context.addCookies([first]);
    await expectAccountNeedsSignIn(page);

    await signIn(page, user);
    const activity = new ActivityPage(page);
    await activity.goto();
    await expect(activity.events.filter({ hasText: 'Refresh-token reuse detected' })).toContainText(
      /an old token of .+\(device \S+\) was used again; that device was signed out/,
    );
  });

  test('signed out, the pages send you to sign in and back', { tag: '@mode' }, async ({ page }) => {
    const user = newUser();
    await signUp(page, user);
    await new Header(page).signOutButton.click();
    await expect(page).toHaveURL('/?signed_out=1');
    for (const path of ['/account/devices', '/account/activity']) {
      await page.goto(path);
      await expect(page).toHaveURL(`/login?next=${encodeURIComponent(path)}`);
    }
    const login = new LoginPage(page);
    await settled(page);
    await login.submit(user);
    await expect(page).toHaveURL('/account/activity');
    await expect(new ActivityPage(page).heading).toBeVisible();
  });
});
