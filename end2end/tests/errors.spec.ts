import { expect, test } from '../support/fixtures';

import { LoginPage } from '../pages/login-page';
import { SignUpPage } from '../pages/signup-page';
import { expectSignedInOnAccount, signOut, signUp } from '../support/auth';
import { javaScriptEnabled } from '../support/env';
import { newUser } from '../support/users';

const BAD_CREDENTIALS = 'Incorrect username or password.';
const MISSING_CREDENTIALS = 'Please enter your username and password.';
const USERNAME_TAKEN = 'That username is already taken. Please choose another.';
const PASSWORD_TOO_SHORT = 'A password needs at least 8 characters.';
const USERNAME_LENGTH = 'A username has 3 to 32 characters.';
const USERNAME_CHARACTERS = 'A username may contain only letters a–z, digits 0–9, and _ . -';

test.describe('sign-in errors', () => {
  test('a wrong password is refused with the generic message', async ({ page }) => {
    const user = newUser();
    await signUp(page, user);
    await signOut(page);

    const login = new LoginPage(page);
    await login.goto();
    await login.submit({ ...user, password: `${user.password}-wrong` });
    await login.expectError(BAD_CREDENTIALS);
  });

  test('an unknown user gets the same message as a wrong password', async ({ page }) => {
    const login = new LoginPage(page);
    await login.goto();
    await login.submit(newUser());
    await login.expectError(BAD_CREDENTIALS);
  });

  test('an empty form asks for username and password', async ({ page }) => {
    const login = new LoginPage(page);
    await login.goto();
    await login.submitButton.click();
    await login.expectError(MISSING_CREDENTIALS);
  });

  test('after an error the user can correct the form and sign in', async ({ page }, testInfo) => {
    const user = newUser();
    await signUp(page, user);
    await signOut(page);

    const login = new LoginPage(page);
    await login.goto();
    await login.submit({ ...user, password: 'not-the-password' });
    await login.expectError(BAD_CREDENTIALS);
    if (javaScriptEnabled(testInfo)) {
      // Hydrated: the error came back inline, without a page load.
      await expect(page).toHaveURL((url) => !url.searchParams.has('__err'));
    } else {
      // Without JavaScript the server sent the browser back to the form with the error in the URL.
      await expect(page).toHaveURL((url) => url.searchParams.has('__err'));
    }

    await login.submit(user);
    await expectSignedInOnAccount(page, user.username);
  });
});

test.describe('sign-up errors', () => {
  test('a taken username is refused', async ({ page }) => {
    const user = newUser();
    await signUp(page, user);
    await signOut(page);

    const signup = new SignUpPage(page);
    await signup.goto();
    await signup.submit({ ...newUser(), username: user.username });
    await signup.expectError(USERNAME_TAKEN);

    // Case does not make a different name.
    await signup.goto();
    await signup.submit({ ...newUser(), username: user.username.toUpperCase() });
    await signup.expectError(USERNAME_TAKEN);
  });

  test('a short password is refused', async ({ page }) => {
    const signup = new SignUpPage(page);
    await signup.goto();
    await signup.submit({ ...newUser(), password: 'short1' });
    await signup.expectError(PASSWORD_TOO_SHORT);
  });

  test('a too short username is refused', async ({ page }) => {
    const signup = new SignUpPage(page);
    await signup.goto();
    await signup.submit({ ...newUser(), username: 'ab' });
    await signup.expectError(USERNAME_LENGTH);
  });

  test('a username with invalid characters is refused', async ({ page }) => {
    const signup = new SignUpPage(page);
    await signup.goto();
    const user = newUser();
    await signup.submit({ ...user, username: `${user.username.slice(0, 10)} bad!` });
    await signup.expectError(USERNAME_CHARACTERS);
  });

  test('after an error the user can correct the form and sign up', async ({ page }, testInfo) => {
    const user = newUser();
    const signup = new SignUpPage(page);
    await signup.goto();
    await signup.submit({ ...user, password: 'short1' });
    await signup.expectError(PASSWORD_TOO_SHORT);
    if (!javaScriptEnabled(testInfo)) {
      await expect(page).toHaveURL((url) => url.searchParams.has('__err'));
    }

    await signup.submit(user);
    await expectSignedInOnAccount(page, user.username);
  });
});
