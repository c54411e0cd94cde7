/**
 * The content security policy the API sends, as Chromium enforces it: the web
 * app and the /docs reference page run without a single violation, and the
 * recorder that shows it does see one when a page breaks the policy.
 */
import { describe, expect, it } from 'vitest';
import { checkPage, cspViolations } from './page-checks.js';
import { launchBrowser, openPage, signInAs, startStack } from './stack.js';

const stack = await startStack();
const browser = await launchBrowser();

describe('the content security policy in the browser', () => {
  it('lets the signed-in web app run with no violation', async () => {
    const { page, context } = await openPage(browser, stack, '/');
    await signInAs(page);
    await checkPage(page, 'cases');
    await context.close();
  });

  it('lets the /docs reference page run its boot script with no violation', async () => {
    const { page, context } = await openPage(browser, stack, '/docs');
    await page.waitForLoadState('load');
    // The boot script ran (it calls the reference bundle, which is present when served locally).
    expect(await page.locator('#app').count()).toBe(1);
    expect(await cspViolations(page)).toEqual([]);
    await context.close();
  });

  it('reports a violation when a page runs a script the policy does not allow', async () => {
    for (const path of ['/', '/docs']) {
      const { page, context } = await openPage(browser, stack, path);
      await page.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'window.injected = true';
        document.body.append(script);
      });
      await expect.poll(() => cspViolations(page)).toEqual([expect.stringMatching(/^script-src-elem refused inline/)]);
      expect(await page.evaluate(() => 'injected' in window)).toBe(false);
      await context.close();
    }
  });
});
