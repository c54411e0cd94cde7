/**
 * Checks every page of the app gets: no serious or critical accessibility
 * violation found by axe-core (injected into the page; @axe-core/playwright
 * needs Node 22), and no sideways scrolling on a 375 px wide phone screen.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

// Evaluated rather than added as a script tag: the content security policy refuses inline scripts.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected at run time
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations as AxeViolation[];
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * Records every content-security-policy violation a page reports, from before its first script
 * (`recordCspViolations` is added as an init script of the browser context by `openPage`).
 */
export function recordCspViolations() {
  const seen: string[] = [];
  (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
  document.addEventListener('securitypolicyviolation', (e) => {
    seen.push(`${e.effectiveDirective} refused ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
  });
}

export const cspViolations = (page: Page) =>
  page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? ['not recorded']);

/** Runs the checks on the page as it stands (no policy violation, accessibility, phone width), then puts the viewport back. */
export async function checkPage(page: Page, name: string) {
  expect(await cspViolations(page), `content security policy on ${name}`).toEqual([]);
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

/** Presses Tab until the focused control's text matches, and checks its focus is visible. */
export async function tabToControl(page: Page, text: RegExp) {
  for (let presses = 0; presses < 60; presses++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      const style = element ? getComputedStyle(element) : null;
      return {
        text: `${element?.tagName}:${element?.textContent || element?.getAttribute('aria-label') || element?.id || ''}`,
        outline: style ? `${style.outlineStyle} ${style.outlineWidth}` : '',
      };
    });
    if (!focused.text.startsWith('BODY:') && text.test(focused.text)) {
      expect(focused.outline, `focus on "${focused.text}" is visible`).not.toMatch(/^none |0px$/);
      return;
    }
  }
  throw new Error(`no control matching ${text} is reachable with Tab`);
}
