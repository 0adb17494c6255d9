import { expect, type Locator, type Page } from '@playwright/test';

import { settled } from '../support/env';

/** `/account/security`: the account's passkeys. */
export class SecurityPage {
  readonly heading: Locator;
  readonly passkeys: Locator;
  readonly name: Locator;
  readonly add: Locator;
  readonly addStatus: Locator;
  readonly notice: Locator;
  readonly needsJs: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Security' });
    this.passkeys = page.locator('li.passkey');
    this.name = page.getByLabel('Name', { exact: true });
    this.add = page.getByRole('button', { name: 'Add a passkey' });
    this.addStatus = page.locator('#passkey-add-status');
    this.notice = page.locator('.notice');
    this.needsJs = page.getByText('Adding a passkey needs JavaScript.');
  }

  async goto(): Promise<void> {
    await this.page.goto('/account/security');
    await expect(this.heading).toBeVisible();
    await settled(this.page);
  }

  /** The row of the passkey named `name`. */
  passkey(name: string): Locator {
    return this.passkeys.filter({ has: this.page.getByRole('heading', { name, exact: true }) });
  }

  /**
   * Fills the confirmation step's password in `form` when the page asks for
   * it (a sign-in older than the re-authentication window).
   */
  private async confirm(form: Locator, password: string): Promise<void> {
    const field = form.locator('input[name="confirm_password"]');
    if (await field.count()) await field.fill(password);
  }

  /**
   * Adds a passkey named `name` (the browser's authenticator makes it),
   * confirming with `password` if asked.
   */
  async addPasskey(name: string, password: string): Promise<void> {
    await this.name.fill(name);
    await this.confirm(this.page.locator('#add-passkey'), password);
    await this.add.click();
    await expect(this.page).toHaveURL(/\/account\/security\?done=added$/);
    await expect(this.passkey(name)).toBeVisible();
    // The page's script loaded this page anew: a click while the app
    // hydrates it again can be lost.
    await settled(this.page);
  }

  /** Removes the passkey named `name`, confirming with `password` if asked. */
  async remove(name: string, password: string): Promise<void> {
    await this.confirm(this.passkey(name), password);
    await this.page.getByRole('button', { name: `Remove passkey ${name}` }).click();
    await expect(this.page).toHaveURL(/done=removed/);
    await expect(this.passkey(name)).toHaveCount(0);
  }
}
