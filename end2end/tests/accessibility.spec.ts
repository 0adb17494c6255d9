import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';

import { expect, test } from '../support/fixtures';
import { signUp } from '../support/auth';
import { newUser } from '../support/users';

/*
 * Every page passes an axe scan with no serious or critical finding, signed
 * out and signed in. axe runs as a script inside the page, so the scan runs
 * in the JavaScript project (`@js-only`); the pages are rendered on the
 * server, so the markup it checks is the markup a browser without JavaScript
 * gets too.
 */

async function seriousFindings(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The two widths every page is checked at: a laptop and a phone. */
const WIDTHS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

const SIGNED_OUT = ['/', '/signup', '/login', '/login?next=%2Faccount', '/inspect', '/tradeoffs'];
const SIGNED_IN = [
  '/account',
  '/account/devices',
  '/account/activity',
  '/account/security',
  '/device',
  '/inspect',
  '/inspect?tamper=1',
  '/tradeoffs',
  '/',
  '/login',
  '/signup',
];

/** A file name for a screenshot of `path`. */
function shotName(path: string, who: string, width: string): string {
  const slug = path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'home';
  return `${slug}-${who}-${width}.png`;
}

/** Scans each of `paths` at `size` and keeps a full-page screenshot of it. */
async function scan(
  page: Page,
  testInfo: TestInfo,
  paths: readonly string[],
  who: string,
  size: (typeof WIDTHS)[number],
): Promise<void> {
  await page.setViewportSize(size);
  for (const path of paths) {
    await page.goto(path);
    expect(await seriousFindings(page), path).toEqual([]);
    // Kept as test artifacts, to look at.
    await page.screenshot({ path: testInfo.outputPath(shotName(path, who, size.name)), fullPage: true });
  }
}

test.describe('accessibility', () => {
  // Each test scans and photographs up to nine pages.
  test.describe.configure({ timeout: 180_000 });

  // The pages are the same markup in both modes but for the words that name
  // the mode and the inspector's token view: the session run scans them all.
  for (const size of WIDTHS) {
    test(`every page signed out, ${size.name} width: no serious axe finding`, { tag: '@js-only' }, async ({ page }, testInfo) => {
      await scan(page, testInfo, SIGNED_OUT, 'out', size);
    });

    test(`every page signed in, ${size.name} width: no serious axe finding`, { tag: '@js-only' }, async ({ page }, testInfo) => {
      await signUp(page, newUser());
      await scan(page, testInfo, SIGNED_IN, 'in', size);
    });

    // What only JWT mode shows: the opened token and the tamper result.
    test(`the inspector's token view, ${size.name} width: no serious axe finding`, { tag: ['@jwt', '@js-only'] }, async ({ page }, testInfo) => {
      await signUp(page, newUser());
      await scan(page, testInfo, ['/inspect', '/inspect?tamper=1'], 'in-jwt', size);
    });
  }
});
