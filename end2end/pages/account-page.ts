import { expect, type Locator, type Page } from '@playwright/test';
import { settled } from '../support/env';

/** An exact time as the pages give it, e.g. "2026-11-26 16:20 UTC". */
export const UTC_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/;

/** A time as the account page says it: "just now", "in 29 minutes", "3 hours ago". */
export const RELATIVE_TIME =
  /^(just now|in \d+ (second|minute|hour|day)s?|\d+ (second|minute|hour|day)s? ago)$/;

/** `/account` (protected): who is signed in and how long this sign-in lasts. */
export class AccountPage {
  readonly heading: Locator;
  readonly username: Locator;
  readonly thisSignIn: Locator;
  /** The "Change password" section and its form. */
  readonly passwordSection: Locator;
  readonly currentPassword: Locator;
  readonly newPassword: Locator;
  readonly changePasswordButton: Locator;

  constructor(readonly page: Page) {
    const main = page.getByRole('main');
    this.heading = main.getByRole('heading', { name: 'Your account', exact: true });
    this.username = main.locator('dd.username');
    this.thisSignIn = main
      .locator('section')
      .filter({ has: page.getByRole('heading', { name: 'This sign-in', exact: true }) });
    this.passwordSection = main
      .locator('section')
      .filter({ has: page.getByRole('heading', { name: 'Change password', exact: true }) });
    this.currentPassword = this.passwordSection.getByLabel('Current password', { exact: true });
    this.newPassword = this.passwordSection.getByLabel('New password', { exact: true });
    this.changePasswordButton = this.passwordSection.getByRole('button', {
      name: 'Change password',
      exact: true,
    });
  }

  /** Fills and submits the change-password form. */
  async changePassword(current: string, next: string): Promise<void> {
    await this.currentPassword.fill(current);
    await this.newPassword.fill(next);
    await this.changePasswordButton.click();
  }

  async goto(): Promise<void> {
    await this.page.goto('/account');
    await settled(this.page);
  }

  /** The value next to the term `term` in the "This sign-in" section. */
  fact(term: string): Locator {
    return this.thisSignIn.locator(`dt:text-is("${term}") + dd`);
  }

  /** Waits until the page is /account and shows `username`. */
  async expectShows(username: string): Promise<void> {
    await expect(this.page).toHaveURL('/account');
    await expect(this.heading).toBeVisible();
    await expect(this.username).toHaveText(username);
  }

  /** Each time is said relative to now, with the exact UTC time on hover
   * and in `datetime`. */
  async expectSignInTimes(): Promise<void> {
    for (const term of ['Signed in since', 'Ends if unused', 'Ends at the latest']) {
      const time = this.fact(term).locator('time');
      await expect(time).toHaveText(RELATIVE_TIME);
      await expect(time).toHaveAttribute('title', UTC_TIME);
      await expect(time).toHaveAttribute('datetime', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    }
  }
}
