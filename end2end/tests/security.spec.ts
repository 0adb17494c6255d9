import { expect, test } from '../support/fixtures';

import { HomePage } from '../pages/home-page';
import { signIn, signOut, signUp } from '../support/auth';
import { sessionCookie } from '../support/cookies';
import { javaScriptEnabled } from '../support/env';
import { newUser } from '../support/users';

const EVIL = /(^|\.)evil\.example$/;

test.describe('open redirects', () => {
  // Should the app ever follow `next` off-site, the browser must not go out to
  // the network: such requests are aborted here and counted.
  let offsite: string[];
  test.beforeEach(async ({ context }) => {
    offsite = [];
    await context.route(
      (url) => EVIL.test(url.hostname),
      async (route) => {
        offsite.push(route.request().url());
        await route.abort('blockedbyclient');
      },
    );
  });

  for (const next of ['//evil.example', 'https://evil.example', '/\\evil.example']) {
    test(`?next=${next} lands on / of this site`, async ({ page, baseURL }) => {
      const user = newUser();
      await signUp(page, user);
      await signOut(page);

      await signIn(page, user, { next, landsOn: '/' });
      expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
      await new HomePage(page).expectSignedInAs(user.username);
      expect(offsite, 'no request left for evil.example').toEqual([]);
    });
  }

  test('a same-site ?next= is followed', async ({ page }) => {
    const user = newUser();
    await signUp(page, user);
    await signOut(page);
    await signIn(page, user, { next: '/', landsOn: '/' });
    await new HomePage(page).expectSignedInAs(user.username);
  });
});

test.describe('auth cookies', () => {
  test('are not readable by page scripts', async ({ page, context }, testInfo) => {
    test.skip(!javaScriptEnabled(testInfo), 'needs JavaScript to read document.cookie');

    const user = newUser();
    await signUp(page, user);
    expect(await sessionCookie(context), 'the browser holds the session cookie').toBeDefined();

    const visible = await page.evaluate(() => document.cookie);
    expect(visible).not.toContain('latchkey');

    await signOut(page);
  });
});
