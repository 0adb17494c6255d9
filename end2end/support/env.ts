import { expect, test, type Page, type TestInfo } from '@playwright/test';

/** The auth mode the server was started in (see playwright.config.ts). */
export const authMode: string = process.env.LATCHKEY_AUTH_MODE || 'session';

/** How the pages name a mode: "Session mode", "JWT mode". */
export function modeName(mode: string): string {
  return mode === 'jwt' ? 'JWT mode' : 'Session mode';
}

/** The JWT signature algorithm the server was started with (JWT mode). */
export const jwtAlg: string = process.env.LATCHKEY_JWT_ALG || 'HS256';

/**
 * The re-authentication window the server was started with
 * (`LATCHKEY_REAUTH_WINDOW` in playwright.config.ts): a sign-in older than
 * this is asked for the password before a sensitive action.
 */
export const REAUTH_WINDOW_MS = 3_000;

/** Name of the session-mode cookie. */
export const SESSION_COOKIE = '__Host-latchkey_session';

/** Whether the current project runs the browser with JavaScript on. */
export function javaScriptEnabled(testInfo: TestInfo): boolean {
  return testInfo.project.use.javaScriptEnabled !== false;
}

/**
 * Waits until the page is ready for input: with JavaScript on, until the app
 * has hydrated (`<main data-hydrated="true">`), so the hydrated forms are what
 * the test uses; with it off, the server-rendered page is all there is.
 */
export async function settled(page: Page): Promise<void> {
  const hydrated = javaScriptEnabled(test.info()) ? 'true' : 'false';
  await expect(page.locator('main')).toHaveAttribute('data-hydrated', hydrated);
}
