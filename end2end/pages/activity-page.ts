import { expect, type Locator, type Page } from '@playwright/test';

import { settled } from '../support/env';

/** `/account/activity` (protected): the account's security events. */
export class ActivityPage {
  readonly heading: Locator;
  readonly events: Locator;

  constructor(readonly page: Page) {
    const main = page.getByRole('main');
    this.heading = main.getByRole('heading', { name: 'Account activity', exact: true });
    this.events = main.locator('ol.event-list > li');
  }

  async goto(): Promise<void> {
    await this.page.goto('/account/activity');
    await settled(this.page);
    await expect(this.heading).toBeVisible();
  }

  /** Events whose sentence contains `text`. */
  withText(text: string | RegExp): Locator {
    return this.events.filter({ hasText: text });
  }
}
