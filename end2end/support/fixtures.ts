import { expect, test as base } from '@playwright/test';

import { unknownTags } from './runs';

/*
 * The `test` every spec uses: Playwright's, plus a check that the page logged
 * no error (a failed hydration, a 404 for an asset, an uncaught exception),
 * and that the test's tags are ones the runs know (support/runs.ts).
 */
export const test = base.extend<{ consoleErrors: string[]; tagsKnown: void }>({
  tagsKnown: [
    async ({}, use, testInfo) => {
      const unknown = unknownTags(testInfo.tags);
      if (unknown.length) {
        throw new Error(`unknown tags ${unknown.join(', ')}: support/runs.ts lists the tags that choose a test's runs`);
      }
      await use();
    },
    { auto: true },
  ],
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('console', (msg) => {
        // Chromium logs every 4xx answer to a fetch; the app's own refusals
        // (bad credentials, a rule broken) are expected there. A 404 is not.
        const expected = /^Failed to load resource: the server responded with a status of 4(00|01|03|09|22|29)/;
        if (msg.type() === 'error' && !expected.test(msg.text())) errors.push(msg.text());
      });
      page.on('pageerror', (err) => errors.push(err.message));
      await use(errors);
      expect(errors, 'errors logged by the page').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
