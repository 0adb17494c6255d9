import type { Page } from '@playwright/test';

import { CredentialsForm } from './credentials-form';

/** `/signup`: the create-account form. */
export class SignUpPage extends CredentialsForm {
  constructor(page: Page) {
    super(page, '/signup', 'Create an account', 'Create account');
  }

  async goto(): Promise<void> {
    await this.open();
  }
}
