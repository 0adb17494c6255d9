import type { Page } from '@playwright/test';

import { CredentialsForm } from './credentials-form';

/** `/login`: the sign-in form. */
export class LoginPage extends CredentialsForm {
  constructor(page: Page) {
    super(page, '/login', 'Sign in', 'Sign in');
  }

  /** Opens `/login`, with `?next=` when `next` is given. */
  async goto(next?: string): Promise<void> {
    await this.open(next === undefined ? '' : `?next=${encodeURIComponent(next)}`);
  }
}
