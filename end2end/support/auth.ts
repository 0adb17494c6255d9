import { expect, type Page } from '@playwright/test';

import { AccountPage } from '../pages/account-page';
import { Header } from '../pages/header';
import { HomePage } from '../pages/home-page';
import { LoginPage } from '../pages/login-page';
import { SecurityPage } from '../pages/security-page';
import { SignUpPage } from '../pages/signup-page';
import type { Credentials } from './users';

/*
 * The helpers wait for what the user sees after each step, never for a fixed
 * time. With JavaScript off a form post is a full navigation; with it on the
 * hydrated app calls the server function and navigates on the client (or, if
 * the click beat hydration, the browser posts the plain form). Waiting for the
 * URL and the page's content covers all three.
 */

/** Creates the account through /signup; returns on /account, signed in. */
export async function signUp(page: Page, user: Credentials): Promise<void> {
  const signup = new SignUpPage(page);
  await signup.goto();
  await signup.submit(user);
  await expectSignedInOnAccount(page, user.username.toLowerCase());
}

export interface SignInOptions {
  /** Value of `?next=` on the login page. */
  next?: string;
  /** Where the browser should end up (a path on our origin); default `/account`. */
  landsOn?: string;
  /** Tick "Keep me signed in". */
  keep?: boolean;
}

/** Signs in through /login; returns once the landing page shows the user. */
export async function signIn(
  page: Page,
  user: Credentials,
  options: SignInOptions = {},
): Promise<void> {
  const login = new LoginPage(page);
  await login.goto(options.next);
  await login.submit(user, options.keep ?? false);
  await expectSignedInAt(page, options.landsOn ?? '/account', user.username.toLowerCase());
}

/** Waits until the page is `path` on our origin and shows `username` as signed in. */
export async function expectSignedInAt(page: Page, path: string, username: string): Promise<void> {
  await expect(page).toHaveURL(path);
  if (path === '/account') {
    await expectSignedInOnAccount(page, username);
  } else {
    await new Header(page).expectSignedInAs(username);
  }
}

/** Waits until the page is /account showing `username`, header included. */
export async function expectSignedInOnAccount(page: Page, username: string): Promise<void> {
  await new AccountPage(page).expectShows(username);
  await new Header(page).expectSignedInAs(username);
}

/** Signs out with the header button; returns on `/`, which says so. */
export async function signOut(page: Page): Promise<void> {
  const header = new Header(page);
  await header.signOutButton.click();
  await expect(page).toHaveURL('/?signed_out=1');
  const home = new HomePage(page);
  await home.expectAnonymous();
  await expect(home.signedOutNotice).toBeVisible();
  await header.expectAnonymous();
}

/**
 * Creates the account, adds a passkey named `name` on the security page (the
 * page's virtual authenticator makes it), and signs out.
 */
export async function signUpWithPasskey(page: Page, user: Credentials, name: string): Promise<void> {
  await signUp(page, user);
  const security = new SecurityPage(page);
  await security.goto();
  await security.addPasskey(name, user.password);
  await signOut(page);
}

/** Opens /account and expects to be sent to the sign-in page instead. */
export async function expectAccountNeedsSignIn(page: Page): Promise<void> {
  await new AccountPage(page).goto();
  await expect(page).toHaveURL('/login?next=%2Faccount');
  await expect(new LoginPage(page).heading).toBeVisible();
  await new Header(page).expectAnonymous();
}
