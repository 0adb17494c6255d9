import { expect, type Locator, type Page } from '@playwright/test';

import { settled } from '../support/env';

/** `/account/devices` (protected): the account's signed-in devices. */
export class DevicesPage {
  readonly heading: Locator;
  readonly rows: Locator;
  readonly notice: Locator;
  readonly signOutOthersButton: Locator;
  readonly signOutEverywhereButton: Locator;
  /** The confirmation step of "Sign out everywhere" on an old sign-in. */
  readonly confirmPassword: Locator;
  readonly confirmError: Locator;

  constructor(readonly page: Page) {
    const main = page.getByRole('main');
    this.heading = main.getByRole('heading', { name: 'Your devices', exact: true });
    this.rows = main.locator('ul.device-list > li');
    this.notice = main.getByRole('status');
    this.signOutOthersButton = main.getByRole('button', {
      name: 'Sign out all other devices',
      exact: true,
    });
    this.signOutEverywhereButton = main.getByRole('button', {
      name: 'Sign out everywhere',
      exact: true,
    });
    this.confirmPassword = main.getByLabel('Your password', { exact: true });
    this.confirmError = main.locator('#confirm_password-error');
  }

  async goto(): Promise<void> {
    await this.page.goto('/account/devices');
    await settled(this.page);
    await expect(this.heading).toBeVisible();
  }

  /** The row of the device named e.g. "Firefox 133 on Windows 10". */
  row(name: string): Locator {
    return this.rows.filter({ has: this.page.getByRole('heading', { name, exact: true }) });
  }

  /** The row marked "This device". */
  get current(): Locator {
    return this.rows.filter({ hasText: 'This device' });
  }

  /** Signs out the device named `name` with its own button. */
  async signOut(name: string): Promise<void> {
    await this.row(name)
      .getByRole('button', { name: new RegExp(`^Sign out ${name} \\(device `) })
      .click();
  }
}
