import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

import { expect, test } from '../support/fixtures';
import { signUp } from '../support/auth';
import { newUser } from '../support/users';

/*
 * Every page passes an axe scan with no serious or critical finding, signed
 * out and signed in. axe runs as a script inside the page, so the scan runs
 * in the JavaScript project; the pages are rendered on the server, so the
 * markup it checks is the markup a browser without JavaScript gets too.
 */

async function seriousFindings(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test.describe('accessibility', () => {
  test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, 'axe runs as a script in the page');

  for (const path of ['/', '/signup', '/login', '/inspect', '/tradeoffs']) {
    test(`${path} signed out has no serious axe finding`, async ({ page }) => {
      await page.goto(path);
      expect(await seriousFindings(page)).toEqual([]);
    });
  }

  test('the pages of a signed-in user have no serious axe finding', async ({ page }) => {
    await signUp(page, newUser());
    for (const path of ['/account', '/account/devices', '/account/activity', '/inspect', '/inspect?tamper=1', '/tradeoffs', '/']) {
      await page.goto(path);
      expect(await seriousFindings(page), path).toEqual([]);
    }
  });
});
