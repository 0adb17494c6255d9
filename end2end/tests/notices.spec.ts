import { expect, test } from '../support/fixtures';

import { AccountPage } from '../pages/account-page';
import { Header } from '../pages/header';
import { HomePage } from '../pages/home-page';
import { LoginPage } from '../pages/login-page';
import { SignUpPage } from '../pages/signup-page';
import { expectSignedInOnAccount, signOut, signUp } from '../support/auth';
import { authMode, javaScriptEnabled, modeName, settled } from '../support/env';
import { newUser } from '../support/users';

/*
 * What the pages say after who is signed in changes (issue: "no feedback on
 * state changes"), and what someone already signed in sees on the sign-in
 * and sign-up pages. Runs with JavaScript on and off.
 */
test.describe('notices', () => {
  test('a protected page sends you to sign in and the sign-in page says why', async ({ page }) => {
    await page.goto('/account/devices');
    await expect(page).toHaveURL('/login?next=%2Faccount%2Fdevices');
    const notice = page.getByRole('main').getByRole('status');
    await expect(notice).toHaveText('Please sign in to see your devices.');
    await page.goto('/login');
    await settled(page);
    await expect(new LoginPage(page).heading).toBeVisible();
    await expect(page.getByRole('main').getByRole('status')).toHaveCount(0);
  });

  test('signing out says so on the page it lands on', async ({ page }) => {
    await signUp(page, newUser());
    // signOut waits for the notice and the signed-out header.
    await signOut(page);
    await new HomePage(page).goto();
    await expect(new HomePage(page).signedOutNotice).toHaveCount(0);
  });

  test('the home page marks the mode this server runs and names its setting', { tag: ['@mode', '@js-only'] }, async ({ page }) => {
    const home = new HomePage(page);
    await home.goto();
    await expect(home.liveModeCard).toHaveCount(1);
    await expect(home.liveModeCard.getByRole('heading')).toContainText(modeName(authMode));
    await expect(home.liveModeCard).toContainText('Running here');
    await expect(home.liveModeCard).toContainText(`LATCHKEY_AUTH_MODE=${authMode}`);
  });

  test('signed in, the sign-in and sign-up pages show who you are, not a second form', async ({ page }) => {
    const user = newUser();
    await signUp(page, user);
    const main = page.getByRole('main');
    for (const path of ['/login?next=%2Faccount%2Fdevices', '/signup']) {
      await page.goto(path);
      await settled(page);
      await expect(main.getByRole('heading', { name: 'You are already signed in' })).toBeVisible();
      await expect(main.getByTestId('already-signed-in')).toContainText(
        `You are signed in as ${user.username.toLowerCase()}.`,
      );
      await expect(main.getByLabel('Password', { exact: true })).toHaveCount(0);
    }
    // "Continue" goes where the sign-in page was asked to send you.
    await page.goto('/login?next=%2Faccount%2Fdevices');
    await settled(page);
    await main.getByRole('link', { name: 'Continue' }).click();
    await expect(page).toHaveURL('/account/devices');
    // "Sign out" from there signs out and lands on the notice.
    await page.goto('/signup');
    await settled(page);
    await main.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL('/?signed_out=1');
    await expect(new HomePage(page).signedOutNotice).toBeVisible();
    await new Header(page).expectAnonymous();
    await page.goto('/signup');
    await settled(page);
    await expect(new SignUpPage(page).heading).toBeVisible();
  });

  test('account times are relative, exact on hover, and count on with JavaScript', async ({ page }, testInfo) => {
    await signUp(page, newUser());
    const account = new AccountPage(page);
    await account.expectSignInTimes();
    const since = account.fact('Signed in since').locator('time');
    await expect(since).toHaveText('just now');
    if (javaScriptEnabled(testInfo)) {
      // The page's own clock moves it on, without a reload.
      await expect(since).toHaveText(/^\d+ seconds ago$/, { timeout: 15_000 });
    } else {
      // Without a script the text is the server's, as of each load.
      await expect
        .poll(
          async () => {
            await page.reload();
            return since.textContent();
          },
          { timeout: 15_000, intervals: [1_000] },
        )
        .toMatch(/^\d+ seconds ago$/);
    }
  });

  test('a tab signed out elsewhere goes to sign in on its next action, and back', { tag: '@mode' }, async ({
    context,
    page,
  }, testInfo) => {
    const user = newUser();
    await signUp(page, user);
    const other = await context.newPage();
    const account = new AccountPage(other);
    await account.goto();
    await expect(account.username).toHaveText(user.username.toLowerCase());

    await signOut(page);

    // The stale tab's next action is refused: it goes to sign in, saying
    // why, and nothing on screen still claims a sign-in. In JWT mode with
    // JavaScript the tab renews its access token by itself (the JWT runs use
    // 2 s tokens), and the refused renewal is that next action.
    if (!(authMode === 'jwt' && javaScriptEnabled(testInfo))) {
      await account.changePassword(user.password, `${user.password}-new`);
    }
    await expect(other).toHaveURL('/login?next=%2Faccount');
    const main = other.getByRole('main');
    await expect(main.getByRole('status')).toHaveText('Please sign in to see your account.');
    await expect(main.getByRole('alert')).toHaveCount(0);
    await new Header(other).expectAnonymous();

    // Signing in there lands on the account with no stale error.
    await settled(other);
    await new LoginPage(other).submit(user);
    await expectSignedInOnAccount(other, user.username.toLowerCase());
    await expect(other).toHaveURL('/account');
    await expect(main.getByRole('alert')).toHaveCount(0);
  });
});
