import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';

import { expect, test } from '../support/fixtures';
import { signUp, signUpWithPasskey } from '../support/auth';
import { javaScriptEnabled, settled } from '../support/env';
import { newUser } from '../support/users';
import { localhostURL, virtualAuthenticator, withoutAutofill } from '../support/webauthn';

/*
 * The device authorization grant (RFC 8628), JWT mode: the example
 * command-line app (`examples/cli`, the binary LATCHKEY_CLI_BIN names,
 * default target/debug/latchkey-cli) asks to sign in and shows a code; the
 * person types it at /device in the browser, sees the app and approves or
 * denies. The app then calls /api/me, refreshes and signs out. With
 * JavaScript and without: the page's forms are plain forms either way.
 */

const CLI = process.env.LATCHKEY_CLI_BIN || path.resolve(__dirname, '..', '..', 'target', 'debug', 'latchkey-cli');

/** Every app process a test started: stopped when it ends, whatever happened. */
const running: ChildProcess[] = [];

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the app with `args` against the server, its files in `dir`. */
function start(args: string[], dir: string, baseURL: string): { child: ChildProcess; done: Promise<Ran> } {
  if (!fs.existsSync(CLI)) {
    throw new Error(`${CLI} is missing: build it with \`cargo build -p latchkey-cli\` or set LATCHKEY_CLI_BIN`);
  }
  // The app names the server as its public origin (http://localhost:<port>, what the
  // server's DPoP proofs must name), not the 127.0.0.1 the browser uses.
  const server = baseURL.replace('127.0.0.1', 'localhost');
  const child = spawn(CLI, ['--server', server, '--dir', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Ran>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

async function run(args: string[], dir: string, baseURL: string): Promise<Ran> {
  return start(args, dir, baseURL).done;
}

interface Asked {
  /** The code the app shows. */
  code: string;
  /** The link it shows with the code in it. */
  link: string;
  done: Promise<Ran>;
  child: ChildProcess;
}

/** Starts `login` and waits for the code and link it shows. */
async function login(dir: string, baseURL: string): Promise<Asked> {
  const { child, done } = start(['login'], dir, baseURL);
  let out = '';
  const [code, link] = await new Promise<[string, string]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no code shown: ${out}`)), 15_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /enter the code ([A-Z]{4}-[A-Z]{4})\nOr open (\S+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve([m[1], m[2]]);
      }
    });
    child.on('close', (c) => reject(new Error(`login ended (${c}) before showing a code: ${out}`)));
  });
  return { code, link, done, child };
}

/** No serious axe finding, and screenshots at both widths, where axe can run. */
async function look(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  if (!javaScriptEnabled(testInfo)) return;
  for (const size of [
    { name: 'desktop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    await page.setViewportSize(size);
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => v.id), name).toEqual([]);
    await page.screenshot({ path: testInfo.outputPath(`device-${name}-${size.name}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** Types the app's code at /device and lands on its request. */
async function openRequest(page: Page, code: string): Promise<void> {
  await page.goto('/device');
  await page.getByLabel('Code from the app').fill(code.toLowerCase().replace('-', ' '));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Approve this sign-in?' })).toBeVisible();
  await expect(page.getByTestId('client-id')).toHaveText('latchkey-cli');
  await expect(page.getByTestId('user-code')).toHaveText(code);
}

test.describe('device grant', () => {
  let dir: string;
  test.beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-cli-'));
  });
  test.afterEach(() => {
    for (const child of running.splice(0)) if (child.exitCode === null) child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the command-line app signs in with a code approved on /device, calls the API, refreshes and signs out', { tag: '@jwt' }, async ({ page, baseURL }, testInfo) => {
    const user = newUser();
    await signUp(page, user);
    const { code, done } = await login(dir, baseURL!);

    await openRequest(page, code);
    await expect(page.getByText('Bound to a key only the app holds')).toBeVisible();
    await look(page, testInfo, 'request');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect(page.getByRole('status')).toContainText('Approved: the app signs in on its next check');
    await look(page, testInfo, 'approved');

    const signedIn = await done;
    expect(signedIn.code, signedIn.stderr).toBe(0);
    expect(signedIn.stdout).toContain('Signed in.');
    // The key the tokens are bound to is the app's alone.
    expect(fs.statSync(path.join(dir, 'dpop-key.json')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'tokens.json')).mode & 0o777).toBe(0o600);

    const me = await run(['me'], dir, baseURL!);
    expect(me.code, me.stderr).toBe(0);
    expect(me.stdout).toContain(user.username);
    const refreshed = await run(['refresh'], dir, baseURL!);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(refreshed.stdout).toContain('Refreshed.');
    expect((await run(['me'], dir, baseURL!)).stdout).toContain(user.username);

    // The app is one of the person's devices, and the approval is in the
    // activity.
    await page.goto('/account/devices');
    await expect(page.getByRole('heading', { name: /latchkey-cli 0\.1 on/ })).toBeVisible();
    await expect(page.locator('.device', { hasText: 'latchkey-cli' }).getByTestId('bound')).toHaveText('Bound to its key (DPoP)');
    await look(page, testInfo, 'devices');
    await page.goto('/account/activity');
    await expect(page.getByText('You approved the sign-in of the app “latchkey-cli”')).toBeVisible();
    await expect(page.getByText(/An app you approved signed in/)).toBeVisible();

    const out = await run(['logout'], dir, baseURL!);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('Signed out.');
    expect((await run(['me'], dir, baseURL!)).code).not.toBe(0);
    await page.goto('/account/devices');
    await expect(page.getByRole('heading', { name: /latchkey-cli/ })).toHaveCount(0);
  });

  test('a denied request signs nothing in', { tag: '@jwt' }, async ({ page, baseURL }) => {
    await signUp(page, newUser());
    const { code, done } = await login(dir, baseURL!);
    await openRequest(page, code);
    await page.getByRole('button', { name: 'Deny' }).click();
    await expect(page.getByRole('status')).toContainText('Denied: the app was not signed in.');
    const denied = await done;
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('denied');
    expect(fs.existsSync(path.join(dir, 'tokens.json'))).toBe(false);
  });

  test.describe('signed in with a passkey', () => {
    test.use({ baseURL: localhostURL() });

    test('the app\'s link leads through a passkey sign-in back to its request', { tag: ['@jwt', '@js-only'] }, async ({ page, baseURL }) => {
      await virtualAuthenticator(page);
      await withoutAutofill(page);
      const user = newUser();
      await signUpWithPasskey(page, user, 'Laptop');

      const { code, link, done } = await login(dir, baseURL!);
      expect(link).toBe(`${baseURL}/device?user_code=${code}`);
      await page.goto(link);
      await expect(page).toHaveURL(/\/login\?next=/);
      await settled(page);
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await expect(page.getByTestId('user-code')).toHaveText(code);
      await page.getByRole('button', { name: 'Approve' }).click();
      await expect(page.getByRole('status')).toContainText('Approved');

      const signedIn = await done;
      expect(signedIn.code, signedIn.stderr).toBe(0);
      // The app's sign-in was proved with the passkey, and says so.
      const me = JSON.parse((await run(['me'], dir, baseURL!)).stdout);
      expect(me.username).toBe(user.username.toLowerCase());
      expect(me.amr).not.toContain('pwd');
    });
  });

  // Rendered on the server: the same page with JavaScript off.
  test('a wrong code is refused with a message', { tag: ['@jwt', '@js-only'] }, async ({ page }) => {
    await signUp(page, newUser());
    await page.goto('/device?user_code=BCDF-GHJK');
    await expect(page.getByText('No sign-in request is waiting with this code')).toBeVisible();
    await expect(page.getByLabel('Code from the app')).toHaveAttribute('aria-invalid', 'true');
  });
});
