import { expect, type BrowserContext, type Page } from '@playwright/test';

import { SignUpPage } from '../pages/signup-page';
import { SESSION_COOKIE, settled } from '../support/env';
import { test } from '../support/scale-out';
import { newUser, type Credentials } from '../support/users';

/*
 * Two session-mode instances behind HAProxy (scripts/demo-scale-out.sh: round
 * robin, no stickiness), one browser. Where the sessions live decides whether
 * a sign-in holds on the instance that did not handle it: in each process's
 * memory it does not, in Redis it does.
 *
 * Runs only in the scale-out run (LATCHKEY_SCALE_OUT=1; playwright.config.ts
 * leaves this file out otherwise and starts no server of its own for it).
 * The script gets the binary from LATCHKEY_BIN (else its default,
 * target/debug/latchkey, or LATCHKEY_DEMO_BINARY), the site from its default
 * target/site (or LATCHKEY_DEMO_SITE_ROOT), and Redis from
 * LATCHKEY_TEST_REDIS_URL (or LATCHKEY_DEMO_REDIS_URL).
 */

/** Page loads per check: enough to reach both instances several times. */
const LOADS = 6;

async function signUpThroughLoadBalancer(page: Page, user: Credentials): Promise<string> {
  const signup = new SignUpPage(page);
  await signup.goto();
  const answer = page.waitForResponse(
    (r) => new URL(r.url()).pathname === '/api/sign_up' && r.request().method() === 'POST',
  );
  await signup.submit(user);
  const response = await answer;
  expect(response.status(), 'the sign-up succeeds').toBeLessThan(400);
  const session = (await response.headersArray())
    .filter((h) => h.name.toLowerCase() === 'set-cookie')
    .map((h) => new RegExp(`^${SESSION_COOKIE}=([^;]+)`).exec(h.value)?.[1])
    .find((v) => v !== undefined);
  expect(session, 'the sign-up sets the session cookie').toBeTruthy();
  await page.waitForLoadState('networkidle');
  await page.goto('/inspect');
  await settled(page);
  return session!;
}

/** The session cookie the browser holds now, if any. */
async function heldSession(context: BrowserContext): Promise<string | undefined> {
  return (await context.cookies()).find((c) => c.name === SESSION_COOKIE && c.value !== '')?.value;
}

interface Answer {
  instance: string;
  /** Whom the answering instance saw: the username, or "Not signed in". */
  viewer: string;
}

const ANONYMOUS = 'Not signed in';
/** What a load's viewer line says: `signed in`, `anonymous`, or the line itself when neither. */
function seen(a: Answer, username: string): string {
  if (a.viewer.includes(ANONYMOUS)) return 'anonymous';
  if (a.viewer.includes(username)) return 'signed in';
  return a.viewer;
}

/**
 * Loads /inspect `times` times in a row: which instance answered, and whom
 * it saw. `before` runs ahead of each load.
 */
async function loadInspect(page: Page, times: number, before?: () => Promise<void>): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < times; i++) {
    if (before) await before();
    const response = await page.goto('/inspect');
    expect(response?.status(), 'GET /inspect').toBe(200);
    await settled(page);
    const instance = (await page.getByTestId('instance').textContent())?.trim() ?? '';
    const viewer = (await page.getByTestId('viewer').textContent())?.trim() ?? '';
    expect(instance, 'the instance name').not.toBe('');
    answers.push({ instance, viewer });
  }
  return answers;
}

/** `/api/me` `times` times, with the browser's cookies or the given `Cookie` header. */
async function askMe(page: Page, times: number, cookie?: string): Promise<{ status: number; username?: string }[]> {
  const answers = [];
  for (let i = 0; i < times; i++) {
    const response = await page.request.get('/api/me', cookie ? { headers: { Cookie: cookie } } : {});
    const body = response.status() === 200 ? await response.json() : undefined;
    answers.push({ status: response.status(), username: body?.username });
  }
  return answers;
}

function expectAlternating(values: (string | number)[], what: string): void {
  expect(new Set(values).size, `${what}: two distinct values in ${JSON.stringify(values)}`).toBe(2);
  for (let i = 1; i < values.length; i++) {
    expect(values[i], `${what}: answer ${i + 1} differs from answer ${i} in ${JSON.stringify(values)}`).not.toBe(
      values[i - 1],
    );
  }
}

test.describe('memory store', () => {
  test.use({ store: 'memory' });

  test('the sign-in is lost on the other instance', async ({ page, context }) => {
    const user = newUser();
    const session = await signUpThroughLoadBalancer(page, user);

    // What the browser lives through: the first request that reaches the
    // other instance (at the latest the first load below) presents a session
    // that instance never heard of. It answers anonymously and clears the
    // cookie, so the browser is signed out on both.
    const browsing = await loadInspect(page, LOADS);
    expectAlternating(
      browsing.map((a) => a.instance),
      'instances',
    );
    for (const a of browsing) {
      expect(seen(a, user.username), `on ${a.instance}: ${JSON.stringify(browsing)}`).toBe('anonymous');
    }
    expect(await heldSession(context), 'the other instance cleared the session cookie').toBeUndefined();

    // The session itself lives on, in the memory of the instance that made
    // it. Presented with every load, as if the browser had kept it: one
    // instance knows the user every time, the other never.
    const presenting = await loadInspect(page, LOADS, () =>
      context.addCookies([
        {
          name: SESSION_COOKIE,
          value: session,
          domain: '127.0.0.1',
          path: '/',
          httpOnly: true,
          secure: true,
          sameSite: 'Lax',
        },
      ]),
    );
    expectAlternating(
      presenting.map((a) => a.instance),
      'instances',
    );
    const holder = presenting.find((a) => seen(a, user.username) === 'signed in')?.instance;
    expect(holder, `an instance knows the user: ${JSON.stringify(presenting)}`).toBeDefined();
    for (const a of presenting) {
      expect(seen(a, user.username), `on ${a.instance}: ${JSON.stringify(presenting)}`).toBe(
        a.instance === holder ? 'signed in' : 'anonymous',
      );
    }

    // The JSON API says the same: every other request is refused.
    await context.clearCookies();
    const me = await askMe(page, LOADS, `${SESSION_COOKIE}=${session}`);
    expectAlternating(
      me.map((m) => m.status),
      '/api/me statuses',
    );
    for (const m of me) expect([200, 401]).toContain(m.status);
    for (const m of me.filter((m) => m.status === 200)) expect(m.username).toBe(user.username);
  });
});

test.describe('redis store', () => {
  test.use({ store: 'redis' });

  test('the sign-in holds on both instances', async ({ page, context }) => {
    const user = newUser();
    const session = await signUpThroughLoadBalancer(page, user);

    const answers = await loadInspect(page, LOADS);
    expectAlternating(
      answers.map((a) => a.instance),
      'instances',
    );
    for (const a of answers) {
      expect(seen(a, user.username), `on ${a.instance}: ${JSON.stringify(answers)}`).toBe('signed in');
    }
    expect(await heldSession(context), 'the browser keeps its session cookie').toBe(session);

    const me = await askMe(page, LOADS);
    for (const m of me) expect(m).toEqual({ status: 200, username: user.username });
  });
});
