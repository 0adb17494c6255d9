import type { BrowserContext, Cookie } from '@playwright/test';

import { authMode } from './env';

/** The auth cookies the server sets in the mode under test. */
export const AUTH_COOKIE_NAMES: readonly string[] =
  authMode === 'jwt'
    ? ['__Host-latchkey_access', '__Host-latchkey_refresh']
    : ['__Host-latchkey_session'];

/** The auth cookies the browser holds, by name. */
export async function authCookies(context: BrowserContext): Promise<Map<string, Cookie>> {
  const cookies = await context.cookies();
  return new Map(cookies.filter((c) => AUTH_COOKIE_NAMES.includes(c.name)).map((c) => [c.name, c]));
}

/** The long-lived credential: the session cookie, or the refresh cookie in JWT mode. */
export async function sessionCookie(context: BrowserContext): Promise<Cookie | undefined> {
  const name = AUTH_COOKIE_NAMES[AUTH_COOKIE_NAMES.length - 1];
  return (await authCookies(context)).get(name);
}
