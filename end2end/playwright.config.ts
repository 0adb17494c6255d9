import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { defineConfig } from '@playwright/test';

import { runOf, selection } from './support/runs';

/*
 * Latchkey end-to-end suite.
 *
 * Environment it reads:
 *   LATCHKEY_BIN        absolute path of the server binary (default: ../target/debug/latchkey)
 *   E2E_PORT            port for the server on 127.0.0.1 (default: a free one, chosen here)
 *   E2E_DATA_DIR        data directory for the server (default: a fresh temporary one,
 *                       removed at exit unless E2E_KEEP_DATA=1)
 *   LATCHKEY_AUTH_MODE  passed through to the server (default: session)
 *   LATCHKEY_ACCESS_TTL, LATCHKEY_REFRESH_GRACE, LATCHKEY_JWT_ALG  passed through when set
 *                       (the mode and LATCHKEY_JWT_ALG choose the run, and the run
 *                       the tests: see support/runs.ts)
 *   LATCHKEY_CLI_BIN    the example command-line app (default: ../target/debug/latchkey-cli)
 *   CHROMIUM_PATH       Chromium executable (default: /usr/bin/chromium)
 *   CI                  makes test.only an error
 *   LATCHKEY_SCALE_OUT  1: the scale-out run, tests/scale-out.spec.ts alone, JavaScript on, and no
 *                       server started here (the spec starts scripts/demo-scale-out.sh: two
 *                       instances behind HAProxy). Otherwise that spec is left out.
 *
 * Playwright evaluates this file again in every worker process. The choices made
 * in the main process are stored in process.env, which the workers inherit, so
 * every process agrees on the port and the data directory.
 */

const workspaceRoot = path.resolve(__dirname, '..');

function freePort(): string {
  const out = execFileSync(
    'python3',
    ['-c', 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'],
    { encoding: 'utf8' },
  );
  const port = out.trim();
  if (!/^\d+$/.test(port)) {
    throw new Error(`could not choose a free port: python3 printed ${JSON.stringify(out)}`);
  }
  return port;
}

if (!process.env.E2E_PORT) {
  process.env.E2E_PORT = freePort();
}
const port = process.env.E2E_PORT;

if (!process.env.E2E_DATA_DIR) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-e2e-'));
  process.env.E2E_DATA_DIR = dir;
  // Only the process that created the directory removes it, after Playwright
  // has stopped the server.
  if (!process.env.E2E_KEEP_DATA) {
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
}
const dataDir = process.env.E2E_DATA_DIR;

const authMode = process.env.LATCHKEY_AUTH_MODE || 'session';
process.env.LATCHKEY_AUTH_MODE = authMode;

const bin = process.env.LATCHKEY_BIN || path.join(workspaceRoot, 'target', 'debug', 'latchkey');
const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

const baseURL = `http://127.0.0.1:${port}`;

// Which tests this run keeps, by their tags (support/runs.ts).
const run = runOf(authMode, process.env.LATCHKEY_JWT_ALG || 'HS256');
const js = selection(run, true)!;
const noJs = selection(run, false);

const scaleOut = process.env.LATCHKEY_SCALE_OUT === '1';
const scaleOutSpec = '**/scale-out.spec.ts';

export default defineConfig({
  testDir: './tests',
  ...(scaleOut ? { testMatch: scaleOutSpec } : { testIgnore: scaleOutSpec }),
  outputDir: 'test-results',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  // The end of each run names its slowest spec files: where the test
  // command's time goes.
  reportSlowTests: { max: 5, threshold: 30_000 },
  use: {
    baseURL,
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: scaleOut
    ? [{ name: 'js', use: { javaScriptEnabled: true } }]
    : [
        { name: 'js', ...js, use: { javaScriptEnabled: true } },
        ...(noJs ? [{ name: 'nojs', ...noJs, use: { javaScriptEnabled: false } }] : []),
      ],
  // The scale-out spec starts its own instances and load balancer.
  webServer: scaleOut ? undefined : {
    command: shellQuote(bin),
    cwd: workspaceRoot,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LATCHKEY_DATA_DIR: dataDir,
      LATCHKEY_AUTH_MODE: authMode,
      // One log line per request would bury the test report: warnings only,
      // unless RUST_LOG says otherwise.
      RUST_LOG: process.env.RUST_LOG ?? 'warn',
      // Optional overrides, passed on when set (the JWT run shortens both).
      ...(process.env.LATCHKEY_ACCESS_TTL ? { LATCHKEY_ACCESS_TTL: process.env.LATCHKEY_ACCESS_TTL } : {}),
      ...(process.env.LATCHKEY_REFRESH_GRACE
        ? { LATCHKEY_REFRESH_GRACE: process.env.LATCHKEY_REFRESH_GRACE }
        : {}),
      ...(process.env.LATCHKEY_JWT_ALG ? { LATCHKEY_JWT_ALG: process.env.LATCHKEY_JWT_ALG } : {}),
      // Sensitive actions ask for the password once a sign-in is this old:
      // short, so a spec sees the confirmation step after a few seconds
      // (support/env.ts REAUTH_WINDOW_MS says the same).
      LATCHKEY_REAUTH_WINDOW: '3s',
      // The device grant's app polls every second, not five (device.spec.ts).
      LATCHKEY_DEVICE_INTERVAL: '1s',
      // A debug build shares two cores with two browsers here: a SQLite
      // connection can wait past the production 2 s, and a sign-in then
      // answers 503 ("temporarily unavailable") in a spec about something
      // else. Store outages and their 503s are tested in tests/scale_out.rs.
      LATCHKEY_STORE_TIMEOUT: process.env.LATCHKEY_STORE_TIMEOUT ?? '10s',
    },
  },
});
