import { expect, type Locator, type Page } from '@playwright/test';

import { settled } from '../support/env';
import type { Credentials } from '../support/users';

/** A page whose main content is a username + password form: /login, /signup. */
export class CredentialsForm {
  readonly heading: Locator;
  readonly username: Locator;
  readonly password: Locator;
  readonly submitButton: Locator;
  /** "Keep me signed in". */
  readonly keep: Locator;
  /** The form's error line (role="alert"). */
  readonly error: Locator;

  constructor(
    readonly page: Page,
    readonly path: string,
    headingName: string,
    buttonName: string,
  ) {
    const main = page.getByRole('main');
    this.heading = main.getByRole('heading', { name: headingName, exact: true });
    this.username = main.getByLabel('Username', { exact: true });
    this.password = main.getByLabel('Password', { exact: true });
    this.submitButton = main.getByRole('button', { name: buttonName, exact: true });
    this.keep = main.getByRole('checkbox', { name: 'Keep me signed in', exact: true });
    this.error = main.getByRole('alert');
  }

  /** Opens the page (with `query`, e.g. `?next=…`) and waits until it is usable. */
  protected async open(query = ''): Promise<void> {
    await this.page.goto(`${this.path}${query}`);
    await settled(this.page);
    await expect(this.heading).toBeVisible();
  }

  /** Fills both fields (replacing what is there), ticks "Keep me signed
   * in" when `keep`, and submits the form. */
  async submit(credentials: Credentials, keep = false): Promise<void> {
    await this.username.fill(credentials.username);
    await this.password.fill(credentials.password);
    await this.keep.setChecked(keep);
    await this.submitButton.click();
  }

  /** Waits for the form to mark `field` with `message` (its line under the
   * input, which the input names as its description), still on this page. */
  async expectFieldError(field: Locator, message: string): Promise<void> {
    await expect(this.error).toHaveText(/^Please correct the fields? marked below\.$/);
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    await expect(field).toHaveAccessibleDescription(new RegExp(`^${escape(message)}`));
    await expect(this.page).toHaveURL((url) => url.pathname === this.path && !url.search.includes('__err'));
  }

  /** Waits for the form to show exactly `message`, still on this page. */
  async expectError(message: string): Promise<void> {
    await expect(this.error).toHaveText(message);
    await expect(this.page).toHaveURL((url) => url.pathname === this.path);
    await expect(this.heading).toBeVisible();
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
