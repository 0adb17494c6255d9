import { expect, test } from '../support/fixtures';

import { AccountPage } from '../pages/account-page';
import { Header } from '../pages/header';
import { HomePage } from '../pages/home-page';
import { signIn, signOut, signUp } from '../support/auth';
import { AUTH_COOKIE_NAMES, authCookies, sessionCookie } from '../support/cookies';
import { authMode } from '../support/env';
import { newUser } from '../support/users';

test.describe('account flow', () => {
  test('home page shows the mode and that nobody is signed in', { tag: ['@mode', '@js-only'] }, async ({ page }) => {
    const home = new HomePage(page);
    const header = new Header(page);
    await home.goto();
    await expect(home.modeLine(authMode)).toBeVisible();
    await home.expectAnonymous();
    await expect(header.modeBadge(authMode)).toBeVisible();
    await header.expectAnonymous();
    await expect(header.brandLink).toHaveAttribute('href', '/');
  });

  test('sign up, sign out, sign in again, sign out', { tag: '@mode' }, async ({ page }) => {
    const user = newUser();
    const account = new AccountPage(page);
    const home = new HomePage(page);

    await signUp(page, user);
    await account.expectSignInTimes();

    await signOut(page);
    await expect(home.modeLine(authMode)).toBeVisible();

    await signIn(page, user);
    await account.expectSignInTimes();

    // Signed in, the home page says so.
    await home.goto();
    await home.expectSignedInAs(user.username);

    // The header link leads to the account page.
    await new Header(page).accountLink.click();
    await account.expectShows(user.username);

    await signOut(page);
  });

  test('usernames are lower-cased at sign-up', async ({ page }) => {
    const user = newUser();
    const typed = { ...user, username: user.username.toUpperCase() };
    await signUp(page, typed);
    await expect(new AccountPage(page).username).toHaveText(user.username);
    await signOut(page);
    // Signing in with the lower-case name works.
    await signIn(page, user);
  });

  test('the auth cookies are HttpOnly, Secure, SameSite=Lax, Path=/ and renewed at each sign-in', { tag: '@mode' }, async ({
    page,
    context,
  }) => {
    const user = newUser();

    expect(await sessionCookie(context)).toBeUndefined();

    await signUp(page, user);
    const all = await authCookies(context);
    for (const name of AUTH_COOKIE_NAMES) {
      expect(all.get(name), `sign-up sets ${name}`).toMatchObject({
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
        path: '/',
        domain: '127.0.0.1',
      });
      expect(all.get(name)!.value).not.toBe('');
    }
    const first = await sessionCookie(context);

    await signOut(page);
    await expect.poll(() => sessionCookie(context), { message: 'sign-out removes the cookie' }).toBeUndefined();

    await signIn(page, user);
    const second = await sessionCookie(context);
    expect(second, 'sign-in sets the session cookie').toBeDefined();
    expect(second).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
    expect(second!.value).not.toBe('');
    expect(second!.value, 'a new sign-in gets a new session ID').not.toBe(first!.value);

    await signOut(page);
  });
});
