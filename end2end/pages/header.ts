import { expect, type Locator, type Page } from '@playwright/test';

/** The site header shown on every page. */
export class Header {
  readonly root: Locator;
  readonly brandLink: Locator;
  readonly signInLink: Locator;
  readonly createAccountLink: Locator;
  readonly signOutButton: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByRole('banner');
    this.brandLink = this.root.getByRole('link', { name: 'Latchkey', exact: true });
    this.signInLink = this.root.getByRole('link', { name: 'Sign in', exact: true });
    this.createAccountLink = this.root.getByRole('link', { name: 'Create account', exact: true });
    this.signOutButton = this.root.getByRole('button', { name: 'Sign out', exact: true });
  }

  /** The "Signed in as <username>" link to /account. */
  signedInAsLink(username: string): Locator {
    return this.root.getByRole('link', { name: `Signed in as ${username}`, exact: true });
  }

  /** The badge naming the active auth mode, e.g. "session mode". */
  modeBadge(mode: string): Locator {
    return this.root.getByText(`${mode} mode`, { exact: true });
  }

  async expectSignedInAs(username: string): Promise<void> {
    await expect(this.signedInAsLink(username)).toBeVisible();
    await expect(this.signOutButton).toBeVisible();
    await expect(this.signInLink).toHaveCount(0);
  }

  async expectAnonymous(): Promise<void> {
    await expect(this.signInLink).toBeVisible();
    await expect(this.createAccountLink).toBeVisible();
    await expect(this.signOutButton).toHaveCount(0);
  }
}
