import { expect, test } from '../support/fixtures';

import { AccountPage } from '../pages/account-page';
import { Header } from '../pages/header';
import { expectAccountNeedsSignIn, signIn, signUp } from '../support/auth';
import { authCookies } from '../support/cookies';
import { newUser } from '../support/users';

/*
 * JWT mode only (`@jwt`), run with a short access-token life (LATCHKEY_ACCESS_TTL=2s)
 * and grace window (LATCHKEY_REFRESH_GRACE=2s), as scripts/test.sh does. The
 * waits below are the point of these tests: real time must pass for a token
 * to expire.
 */
const accessTtl = Number.parseInt(process.env.LATCHKEY_ACCESS_TTL ?? '', 10);
const grace = Number.parseInt(process.env.LATCHKEY_REFRESH_GRACE ?? '', 10);
const ACCESS = '__Host-latchkey_access';
const REFRESH = '__Host-latchkey_refresh';

test.describe('JWT mode', () => {
  test.skip(!(accessTtl <= 5 && grace <= 2), 'needs LATCHKEY_ACCESS_TTL ≤ 5s and LATCHKEY_REFRESH_GRACE ≤ 2s');

  test('a signed-in page keeps working after the access token expired', { tag: ['@jwt', '@signing'] }, async ({ page }) => {
    const user = newUser();
    await signUp(page, user);
    await page.waitForTimeout((accessTtl + 1) * 1000);

    // Without JavaScript this is a page load; the server refreshes first.
    // With it, the tab renewed the token in the background already.
    await new Header(page).accountLink.click();
    await new AccountPage(page).expectShows(user.username);
    await page.reload();
    await new AccountPage(page).expectShows(user.username);
    await new Header(page).expectSignedInAs(user.username);
  });

  test('a reused refresh cookie signs the user out', { tag: '@jwt' }, async ({ page, context }) => {
    const user = newUser();
    await signUp(page, user);
    // A kept sign-in: the browser drops the access cookie when it expires
    // (one not kept is sent on and accepted within the 5 s clock leeway).
    await context.clearCookies();
    await signIn(page, user, { keep: true });
    const first = (await authCookies(context)).get(REFRESH)!;
    expect(first, 'sign-in sets the refresh cookie').toBeDefined();

    // Let the access token expire and the refresh token rotate.
    await page.waitForTimeout((accessTtl + 1) * 1000);
    await page.reload();
    await new AccountPage(page).expectShows(user.username);
    const rotated = (await authCookies(context)).get(REFRESH)!;
    expect(rotated.value, 'the refresh token rotated').not.toBe(first.value);

    // An attacker replays the first refresh token after the grace window.
    await page.waitForTimeout((grace + 1) * 1000);
    await context.clearCookies({ name: ACCESS });
    await context.addCookies([first]);
    await expectAccountNeedsSignIn(page);

    // Reuse revoked the whole family: the newest token is refused too.
    await context.clearCookies({ name: ACCESS });
    await context.addCookies([rotated]);
    await expectAccountNeedsSignIn(page);
  });

  test('the tab renews no token while it changes the password, and stays signed in', { tag: ['@jwt', '@js-only'] }, async ({
    page,
  }) => {
    const user = newUser();
    await signUp(page, user);
    const account = new AccountPage(page);
    await account.goto();

    // The change is held back longer than the renewal timer waits (three
    // quarters of the token's life). A renewal sent meanwhile would carry
    // the old refresh token, be refused once the change has ended it, and
    // clear the cookies the change hands out.
    let changing = false;
    const renewedWhileChanging: string[] = [];
    page.on('request', (req) => {
      if (changing && new URL(req.url()).pathname === '/api/refresh') {
        renewedWhileChanging.push(new Date().toISOString());
      }
    });
    page.on('response', (res) => {
      if (new URL(res.url()).pathname === '/api/change_password') {
        changing = false;
      }
    });
    await page.route('**/api/change_password', async (route) => {
      changing = true;
      await new Promise((resolve) => setTimeout(resolve, (accessTtl + 1) * 1000));
      await route.continue();
    });
    const next = `${user.password}-new`;
    await account.changePassword(user.password, next);
    await expect(page).toHaveURL('/account?password=changed');
    expect(renewedWhileChanging, 'renewals sent while the change was in flight').toEqual([]);

    // Renewals go on afterwards with the new credentials.
    await page.waitForTimeout((accessTtl + 1) * 1000);
    await new Header(page).expectSignedInAs(user.username);
    await account.goto();
    await account.expectShows(user.username);
  });
});
