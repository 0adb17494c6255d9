import { expect, test } from '../support/fixtures';

import { LoginPage } from '../pages/login-page';
import { expectAccountNeedsSignIn, expectSignedInOnAccount, signOut, signUp } from '../support/auth';
import { authCookies, sessionCookie } from '../support/cookies';
import { newUser } from '../support/users';

test.describe('protected pages', () => {
  test('an anonymous visit to /account goes to sign-in and back after signing in', async ({ page }) => {
    const user = newUser();
    await signUp(page, user);
    await signOut(page);

    await expectAccountNeedsSignIn(page);

    // Sign in right there: the form carries next=/account.
    await new LoginPage(page).submit(user);
    await expectSignedInOnAccount(page, user.username);

    await signOut(page);
    await expectAccountNeedsSignIn(page);
  });

  test('a brand-new visitor is asked to sign in', async ({ page }) => {
    await expectAccountNeedsSignIn(page);
    await expect(page.getByRole('main').getByRole('alert')).toHaveCount(0);
  });

  test('the old auth cookies give no access after sign-out', { tag: '@mode' }, async ({ page, context }) => {
    const user = newUser();
    await signUp(page, user);
    const old = await sessionCookie(context);
    expect(old, 'sign-up sets the session cookie').toBeDefined();
    const oldAll = [...(await authCookies(context)).values()];

    await signOut(page);
    await expect.poll(() => sessionCookie(context)).toBeUndefined();

    // Put the old cookie back, exactly as the browser had it.
    await context.addCookies(oldAll);
    expect((await sessionCookie(context))?.value, 'the old cookie is back in the jar').toBe(old!.value);

    // The server does not accept it: /account still asks for sign-in.
    await expectAccountNeedsSignIn(page);
  });
});
