import type { BrowserContext, Cookie } from '@playwright/test';

import { SESSION_COOKIE } from './env';

/** The session cookie the browser holds, if any. */
export async function sessionCookie(context: BrowserContext): Promise<Cookie | undefined> {
  const cookies = await context.cookies();
  return cookies.find((c) => c.name === SESSION_COOKIE);
}
