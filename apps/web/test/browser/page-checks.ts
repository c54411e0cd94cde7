/**
 * Checks every page of the app gets: no serious or critical accessibility
 * violation found by axe-core (injected into the page; @axe-core/playwright
 * needs Node 22), and no sideways scrolling on a 375 px wide phone screen.
 */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axeSource });
  const violations = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected at run time
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations as AxeViolation[];
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Runs both checks on the page as it stands, then puts the viewport back. */
export async function checkPage(page: Page, name: string) {
  expect(await seriousViolations(page), `accessibility of ${name}`).toEqual([]);
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 740 });
  const wide = await page.evaluate(() =>
    document.documentElement.scrollWidth > window.innerWidth
      ? Array.from(document.querySelectorAll('body *'))
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
          .slice(0, 5)
          .map((e) => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`)
      : [],
  );
  expect(wide, `${name} scrolls sideways at 375 px`).toEqual([]);
  if (viewport) await page.setViewportSize(viewport);
}
