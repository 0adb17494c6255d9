import { expect, test } from '../support/fixtures';

import { AccountPage } from '../pages/account-page';
import { LoginPage } from '../pages/login-page';
import { expectAccountNeedsSignIn, signIn, signOut, signUp } from '../support/auth';
import { settled } from '../support/env';
import { newUser } from '../support/users';

test.describe('password change', () => {
  test('signs out every other device; this one stays signed in', { tag: '@mode' }, async ({
    page,
    browser,
    baseURL,
  }, testInfo) => {
    const user = newUser();
    await signUp(page, user);

    // The same account on a second device.
    const other = await browser.newContext({
      baseURL,
      javaScriptEnabled: testInfo.project.use.javaScriptEnabled,
    });
    const phone = await other.newPage();
    await signIn(phone, user);

    const account = new AccountPage(page);
    await account.goto();
    const next = `${user.password}-new`;
    await account.changePassword(user.password, next);
    await expect(page).toHaveURL('/account?password=changed');
    await settled(page);
    await expect(page.getByRole('main').getByRole('status')).toContainText(
      'Your password was changed. Every other device was signed out',
    );
    await expect(account.username).toHaveText(user.username);
    // The used passwords do not stay in the form.
    await expect(account.currentPassword).toHaveValue('');
    await expect(account.newPassword).toHaveValue('');
    await page.screenshot({ path: testInfo.outputPath('password-changed.png'), fullPage: true });

    // The other device is out on its next request.
    await expectAccountNeedsSignIn(phone);
    await other.close();

    // The old password is gone; the new one works.
    await signOut(page);
    const login = new LoginPage(page);
    await login.goto();
    await login.submit(user);
    await login.expectError('Incorrect username or password.');
    await signIn(page, { ...user, password: next });
  });

  test('a wrong current password changes nothing', async ({ page }) => {
    const user = newUser();
    await signUp(page, user);
    const account = new AccountPage(page);
    await account.goto();
    await account.changePassword('not-my-password', `${user.password}-new`);
    await expect(account.passwordSection.getByRole('alert')).toHaveText(
      'Please correct the field marked below.',
    );
    await expect(account.currentPassword).toHaveAttribute('aria-invalid', 'true');
    await expect(account.currentPassword).toHaveAccessibleDescription(
      /Your current password is not correct\./,
    );
    await expect(account.newPassword).not.toHaveAttribute('aria-invalid', 'true');
    await expect(page).toHaveURL((url) => url.pathname === '/account');
    await signOut(page);
    await signIn(page, user);
  });
});
