import { expect, test } from '../support/fixtures';

import { HomePage } from '../pages/home-page';
import { signIn, signOut, signUp } from '../support/auth';
import { sessionCookie } from '../support/cookies';
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
  test('are not readable by page scripts', { tag: ['@mode', '@js-only'] }, async ({ page, context }) => {
    const user = newUser();
    await signUp(page, user);
    expect(await sessionCookie(context), 'the browser holds the session cookie').toBeDefined();

    const visible = await page.evaluate(() => document.cookie);
    expect(visible).not.toContain('latchkey');

    await signOut(page);
  });
});

test.describe('cross-site requests', () => {
  test("another site's form cannot sign you out", { tag: '@js-only' }, async ({ page, context, baseURL }) => {
    const user = newUser();
    await signUp(page, user);

    // A page on another origin, served here without touching the network,
    // with a form aimed at Latchkey's sign-out.
    await context.route('http://evil.example/**', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>Prizes</title>
          <form method="post" action="${baseURL}/api/sign_out">
            <button type="submit">Claim your prize</button>
          </form>`,
      }),
    );
    await page.goto('http://evil.example/prize');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(`${baseURL}/api/sign_out`)),
      page.getByRole('button', { name: 'Claim your prize' }).click(),
    ]);
    expect(refused.status()).toBe(403);
    await expect(page.getByText('came from another site')).toBeVisible();

    await page.goto('/');
    await new HomePage(page).expectSignedInAs(user.username);
  });
});
