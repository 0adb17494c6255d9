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
const PASSWORD_BLANK = 'A password cannot be only spaces: use letters, digits or symbols too.';

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

  test('after an error the user can correct the form and sign in', async ({ page }) => {
    const user = newUser();
    await signUp(page, user);
    await signOut(page);

    const login = new LoginPage(page);
    await login.goto();
    await login.submit({ ...user, password: 'not-the-password' });
    await login.expectError(BAD_CREDENTIALS);
    // Inline with JavaScript; without it the server sent the browser back
    // to the form, the error in a cookie, never in the URL, and the
    // username in its field.
    await expect(page).toHaveURL((url) => !url.searchParams.has('__err'));
    await expect(login.username).toHaveValue(user.username);

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
    await signup.expectFieldError(signup.username, USERNAME_TAKEN);

    // Case does not make a different name.
    await signup.goto();
    await signup.submit({ ...newUser(), username: user.username.toUpperCase() });
    await signup.expectFieldError(signup.username, USERNAME_TAKEN);
  });

  test('a short password is refused', async ({ page }) => {
    const signup = new SignUpPage(page);
    await signup.goto();
    await signup.submit({ ...newUser(), password: 'short1' });
    await signup.expectFieldError(signup.password, PASSWORD_TOO_SHORT);
  });

  test('a too short username is refused', async ({ page }) => {
    const signup = new SignUpPage(page);
    await signup.goto();
    await signup.submit({ ...newUser(), username: 'ab' });
    await signup.expectFieldError(signup.username, USERNAME_LENGTH);
  });

  test('a username with invalid characters is refused', async ({ page }) => {
    const signup = new SignUpPage(page);
    await signup.goto();
    const user = newUser();
    await signup.submit({ ...user, username: `${user.username.slice(0, 10)} bad!` });
    await signup.expectFieldError(signup.username, USERNAME_CHARACTERS);
  });

  test('after an error the user can correct the form and sign up', async ({ page }) => {
    const user = newUser();
    const signup = new SignUpPage(page);
    await signup.goto();
    await signup.submit({ ...user, password: 'short1' });
    await signup.expectFieldError(signup.password, PASSWORD_TOO_SHORT);
    // With or without JavaScript, the username stays in its field.
    await expect(signup.username).toHaveValue(user.username);

    await signup.submit(user);
    await expectSignedInOnAccount(page, user.username);
  });
});

test.describe('every broken rule is marked at its field', () => {
  test('a bad username and a short password are both marked, the username kept', async ({ page }, testInfo) => {
    const signup = new SignUpPage(page);
    await signup.goto();
    await signup.submit({ username: 'ab', password: 'short1' });
    await signup.expectFieldError(signup.username, USERNAME_LENGTH);
    await signup.expectFieldError(signup.password, PASSWORD_TOO_SHORT);
    await expect(signup.username).toHaveValue('ab');
    // A refused plain form post comes back as a new page, which never
    // refills a password; with JavaScript the form never left.
    await expect(signup.password).toHaveValue(javaScriptEnabled(testInfo) ? 'short1' : '');
  });

  test('a password of only spaces is refused at its field', async ({ page }) => {
    const signup = new SignUpPage(page);
    await signup.goto();
    const user = newUser();
    await signup.submit({ ...user, password: '          ' });
    await signup.expectFieldError(signup.password, PASSWORD_BLANK);
    await expect(signup.username).not.toHaveAttribute('aria-invalid', 'true');
    await expect(signup.username).toHaveValue(user.username);
  });
});
