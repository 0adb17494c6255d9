import { expect, type Locator, type Page } from '@playwright/test';

import type { Credentials } from '../support/users';
import { settled } from '../support/env';

/** `/signup`: the create-account form. */
export class SignUpPage {
  readonly heading: Locator;
  readonly username: Locator;
  readonly password: Locator;
  readonly submitButton: Locator;
  /** The form's error line (role="alert"). */
  readonly error: Locator;

  constructor(readonly page: Page) {
    const main = page.getByRole('main');
    this.heading = main.getByRole('heading', { name: 'Create an account', exact: true });
    this.username = main.getByLabel('Username', { exact: true });
    this.password = main.getByLabel('Password', { exact: true });
    this.submitButton = main.getByRole('button', { name: 'Create account', exact: true });
    this.error = main.getByRole('alert');
  }

  async goto(): Promise<void> {
    await this.page.goto('/signup');
    await settled(this.page);
    await expect(this.heading).toBeVisible();
  }

  /** Fills both fields (replacing what is there) and submits the form. */
  async submit(credentials: Credentials): Promise<void> {
    await this.username.fill(credentials.username);
    await this.password.fill(credentials.password);
    await this.submitButton.click();
  }

  /** Waits for the form to show exactly `message`, still on /signup. */
  async expectError(message: string): Promise<void> {
    await expect(this.error).toHaveText(message);
    await expect(this.page).toHaveURL((url) => url.pathname === '/signup');
    await expect(this.heading).toBeVisible();
  }
}
