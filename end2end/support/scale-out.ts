import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

import { test as base } from './fixtures';

/*
 * The scale-out demo as a Playwright fixture: scripts/demo-scale-out.sh (two
 * session-mode instances behind HAProxy) started in a process group of its
 * own, once per store and worker, and stopped with the worker; every page and
 * request of a test that uses it goes through its load balancer.
 */

const workspaceRoot = path.resolve(__dirname, '..', '..');
const script = path.join(workspaceRoot, 'scripts', 'demo-scale-out.sh');

export type Store = 'memory' | 'redis';

interface Demo {
  url: string;
  child: ChildProcess;
  exited: Promise<void>;
}

/** Starts the demo in a process group of its own; resolves with the load balancer's URL. */
async function startDemo(store: Store): Promise<Demo> {
  const args = [script, store];
  if (process.env.LATCHKEY_BIN) args.push('--binary', process.env.LATCHKEY_BIN);
  const env = { ...process.env };
  if (process.env.LATCHKEY_TEST_REDIS_URL) env.LATCHKEY_DEMO_REDIS_URL = process.env.LATCHKEY_TEST_REDIS_URL;
  const child = spawn('bash', args, { cwd: workspaceRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const messages: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => messages.push(chunk));
  // Stopped with the worker process, should the fixture's teardown never run.
  process.once('exit', () => signalGroup(child, 'SIGTERM'));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail('did not print its URL within 120 s'), 120_000);
    const lines = readline.createInterface({ input: child.stdout! });
    function fail(why: string): void {
      clearTimeout(timer);
      signalGroup(child, 'SIGTERM');
      reject(new Error(`scripts/demo-scale-out.sh ${store} ${why}:\n${messages.join('')}`));
    }
    lines.on('line', (line) => {
      const match = /^demo: (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code, signal) => fail(`exited (${signal ?? `status ${code}`})`));
  });
  return { url, child, exited };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** SIGTERM to the demo's group (the script stops the rest and cleans up); SIGKILL after 30 s. */
async function stopDemo(demo: Demo | undefined): Promise<void> {
  if (!demo) return;
  signalGroup(demo.child, 'SIGTERM');
  const stopped = await Promise.race([
    demo.exited.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 30_000)),
  ]);
  if (!stopped) {
    signalGroup(demo.child, 'SIGKILL');
    await demo.exited;
  }
}

/** The demos a worker has started, one per store, stopped when the worker is done. */
class Demos {
  private readonly started = new Map<Store, Promise<Demo>>();

  get(store: Store): Promise<Demo> {
    let demo = this.started.get(store);
    if (!demo) {
      demo = startDemo(store);
      this.started.set(store, demo);
    }
    return demo;
  }

  async stopAll(): Promise<void> {
    const demos = await Promise.allSettled(this.started.values());
    await Promise.all(demos.map((d) => (d.status === 'fulfilled' ? stopDemo(d.value) : undefined)));
  }
}

/*
 * The demo is started on the first test of its store and stopped with the
 * worker (the equivalent of beforeAll and afterAll: Playwright resolves
 * `baseURL` before a describe's beforeAll hooks run, so it cannot come from
 * one). `store` is chosen per describe.
 */
export const test = base.extend<{ store: Store }, { demos: Demos }>({
  store: ['memory', { option: true }],
  demos: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const demos = new Demos();
      try {
        await use(demos);
      } finally {
        await demos.stopAll();
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  // Every page and request of these tests goes through the demo's load balancer.
  baseURL: [
    async ({ store, demos }, use) => {
      await use((await demos.get(store)).url);
    },
    { scope: 'test', timeout: 150_000 },
  ],
});

/**
 * Signs up through /signup and returns the session cookie the sign-up's
 * answer set. The sign-up lands on one instance; what the browser is shown
 * next may come from the other, so this waits for the network to go quiet,
 * not for a signed-in page. Then it loads /inspect once, not counted: a
 * request the signed-up page still had in flight (on a busy machine the
 * network can go quiet between two of them) reaches the load balancer
 * alongside that load, not among the loads that count, where it would take
 * an instance's turn.
 */
