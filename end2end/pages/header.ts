import { expect, type Locator, type Page } from '@playwright/test';

import { modeName } from '../support/env';

/** The site header shown on every page. */
export class Header {
  readonly root: Locator;
  readonly brandLink: Locator;
  readonly signInLink: Locator;
  readonly createAccountLink: Locator;
  readonly signOutButton: Locator;
  readonly accountLink: Locator;
  readonly devicesLink: Locator;
  readonly activityLink: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByRole('banner');
    this.brandLink = this.root.getByRole('link', { name: 'Latchkey', exact: true });
    this.signInLink = this.root.getByRole('link', { name: 'Sign in', exact: true });
    this.createAccountLink = this.root.getByRole('link', { name: 'Create account', exact: true });
    this.signOutButton = this.root.getByRole('button', { name: 'Sign out', exact: true });
    this.accountLink = this.root.getByRole('link', { name: 'Account', exact: true });
    this.devicesLink = this.root.getByRole('link', { name: 'Devices', exact: true });
    this.activityLink = this.root.getByRole('link', { name: 'Activity', exact: true });
  }

  /** The "Signed in as <username>" line. */
  signedInAs(username: string): Locator {
    return this.root.getByText(`Signed in as ${username}`, { exact: true });
  }

  /** The badge naming the active auth mode, e.g. "Session mode". */
  modeBadge(mode: string): Locator {
    return this.root.getByText(modeName(mode), { exact: true });
  }

  async expectSignedInAs(username: string): Promise<void> {
    await expect(this.signedInAs(username)).toBeVisible();
    await expect(this.accountLink).toBeVisible();
    await expect(this.signOutButton).toBeVisible();
    await expect(this.signInLink).toHaveCount(0);
  }

  async expectAnonymous(): Promise<void> {
    await expect(this.signInLink).toBeVisible();
    await expect(this.createAccountLink).toBeVisible();
    await expect(this.signOutButton).toHaveCount(0);
  }
}
