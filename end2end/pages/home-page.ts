import { expect, type Locator, type Page } from '@playwright/test';
import { modeName, settled } from '../support/env';

/** `/`: the front page with the sign-in status card. */
export class HomePage {
  readonly heading: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Who is logged in, over stateless HTTP?' });
  }

  async goto(): Promise<void> {
    await this.page.goto('/');
    await settled(this.page);
  }

  /** "This server runs in Session mode, chosen by LATCHKEY_AUTH_MODE=session." */
  modeLine(mode: string): Locator {
    return this.page
      .getByRole('main')
      .getByText(`This server runs in ${modeName(mode)}, chosen by LATCHKEY_AUTH_MODE=${mode}.`);
  }

  /** The card of the mode this server runs, marked "Running here". */
  get liveModeCard(): Locator {
    return this.page.locator('article.mode-card[data-live="true"]');
  }

  /** The notice shown after signing out. */
  get signedOutNotice(): Locator {
    return this.page.getByRole('status').filter({ hasText: 'You are signed out on this device.' });
  }

  signedInStatus(username: string): Locator {
    return this.page.getByRole('main').getByText(`You are signed in as ${username}.`);
  }

  get anonymousStatus(): Locator {
    return this.page.getByRole('main').getByText('You are not signed in.');
  }

  async expectAnonymous(): Promise<void> {
    await expect(this.heading).toBeVisible();
    await expect(this.anonymousStatus).toBeVisible();
  }

  async expectSignedInAs(username: string): Promise<void> {
    await expect(this.heading).toBeVisible();
    await expect(this.signedInStatus(username)).toBeVisible();
  }
}
