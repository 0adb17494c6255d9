import { expect, type Locator, type Page } from '@playwright/test';
import { settled } from '../support/env';

/** `/inspect`: how the request for the page was recognised. */
export class InspectPage {
  readonly heading: Locator;
  readonly viewer: Locator;
  readonly instance: Locator;
  readonly storeOps: Locator;
  readonly cookies: Locator;
  readonly documentCookie: Locator;
  readonly tokenPayload: Locator;
  readonly tokenStatus: Locator;
  readonly tamperButton: Locator;
  readonly tamperResult: Locator;
  readonly refusal: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Inspector: how this request was recognised' });
    this.viewer = page.getByTestId('viewer');
    this.instance = page.getByTestId('instance');
    this.storeOps = page.getByTestId('store-ops');
    this.cookies = page.getByTestId('cookie');
    this.documentCookie = page.getByTestId('document-cookie');
    this.tokenPayload = page.getByTestId('token-payload');
    this.tokenStatus = page.getByTestId('token-status');
    this.tamperButton = page.getByRole('button', { name: 'Change one character and send it' });
    this.tamperResult = page.getByTestId('tamper-result');
    this.refusal = page.getByTestId('refusal');
  }

  async goto(): Promise<void> {
    await this.page.goto('/inspect');
    await settled(this.page);
  }

  /** The section headings every visitor sees. */
  sectionHeadings(): Locator[] {
    return [
      'Who answered',
      'What your browser sent',
      'What the server did for this request',
      'What the server keeps about you',
      'Revocation, live',
    ].map((name) => this.page.getByRole('heading', { name, exact: true }));
  }

  revokeButton(what: string): Locator {
    return this.page.getByRole('button', { name: `Sign this ${what} out elsewhere` });
  }

  async expectSections(): Promise<void> {
    await expect(this.heading).toBeVisible();
    for (const heading of this.sectionHeadings()) {
      await expect(heading).toBeVisible();
    }
  }
}
