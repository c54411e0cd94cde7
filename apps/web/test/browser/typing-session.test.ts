/**
 * The whole loop by typing, in Chromium against the real API: sign in, pick a
 * case, start by typing, three streamed turns, End, the graded report, and an
 * evidence quote that highlights its turn.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPage, tabToControl } from './page-checks.js';
import { ARTIFACTS_DIR, launchBrowser, openPage, signInAs, startStack } from './stack.js';

const stack = await startStack();
const browser = await launchBrowser();
beforeAll(() => mkdir(ARTIFACTS_DIR, { recursive: true }));

const QUESTIONS = [
  "Hello, I'm Sam, a medical student. What brings you in today?",
  'How long has this been going on?',
  'Are you taking any medications?',
];

describe('a session by typing', () => {
  it('runs from sign-in to a report whose evidence highlights the quoted turn', async () => {
    const { page, context } = await openPage(browser, stack, '/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page
      .getByRole('button', { name: /Sign in as/ })
      .first()
      .waitFor();
    await checkPage(page, 'sign-in');
    await signInAs(page);
    const caseStudy = stack.seeded.caseStudies[0]!;
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: caseStudy.title }) });
    await card.getByText(`0 of ${caseStudy.maxAttempts} used`).waitFor();
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'cases.png'), fullPage: true });
    await checkPage(page, 'cases');

    await card.getByRole('link', { name: 'Start by typing' }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]+\/text$/);
    const sessionId = page.url().split('/').at(-2)!;

    for (const [i, question] of QUESTIONS.entries()) {
      await page.getByLabel(/Your message to/).fill(question);
      await page.getByRole('button', { name: 'Send' }).click();
      // The reply has streamed in full once it carries its stored sequence.
      const reply = page.locator(`#turn-${2 * i + 2}`);
      await reply.waitFor();
      expect(await reply.locator('.content').textContent()).not.toBe('');
      expect(await page.locator(`#turn-${2 * i + 1} .content`).textContent()).toBe(question);
    }
    const stored = await stack.db.sql<{ sequence: number; role: string }[]>`
      select sequence, role from session_messages where session_id = ${sessionId} order by sequence`;
    expect(stored.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    expect(Number(await page.getByTestId('countdown').getAttribute('data-remaining'))).toBeLessThanOrEqual(
      caseStudy.durationLimit,
    );
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'typing-session.png'), fullPage: true });
    await checkPage(page, 'typing session');
    await page.getByRole('button', { name: 'End session' }).click();
    await checkPage(page, 'end confirmation');
    await page.getByRole('button', { name: 'Keep going' }).click();

    await page.getByRole('button', { name: 'End session' }).click();
    await page.getByRole('button', { name: 'End and see my report' }).click();
    await page.waitForURL(`**/sessions/${sessionId}/report`);
    await page.getByTestId('score').waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'report-top.png') });
    expect(await page.getByText('Graded by the offline grader').count()).toBe(1);
    const verdicts = await page.locator('.rubric .verdict').allInnerTexts();
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts.every((v) => ['Met', 'Partly met', 'Not met'].includes(v))).toBe(true);

    const quote = page.locator('button.quote').first();
    const quoted = (await quote.textContent())?.replace(/^“|”$/g, '');
    await quote.click();
    const highlighted = page.locator('.turn.highlighted');
    await highlighted.waitFor();
    expect(await highlighted.count()).toBe(1);
    expect(await highlighted.locator('.content').textContent()).toBe(quoted);
    expect(await highlighted.getAttribute('class')).toContain('turn-user');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'report-evidence.png') });
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'report.png'), fullPage: true });
    await checkPage(page, 'report');

    await page.getByRole('link', { name: 'My sessions' }).click();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Transcript and report' }) });
    await row.getByText('Ended: you ended it').waitFor();
    expect(await row.count()).toBe(1);
    await row.getByText('%').waitFor();
    await checkPage(page, 'my sessions');
    await context.close();
  });

  it('works by keyboard alone, with a visible focus on every control it reaches', async () => {
    const { page, context } = await openPage(browser, stack, '/');
    const tabTo = (text: RegExp) => tabToControl(page, text);
    await page
      .getByRole('button', { name: /Sign in as/ })
      .first()
      .waitFor();
    await tabTo(/Sign in as Sam Student/);
    await page.keyboard.press('Enter');
    const caseStudy = stack.seeded.caseStudies[1]!;
    await page.getByRole('heading', { name: caseStudy.title }).waitFor();
    // The second case's "Start by typing" (the first case's comes first).
    await tabTo(/Start by typing/);
    await tabTo(/Start by typing/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/sessions\/[0-9a-f-]+\/text$/);
    await page.getByRole('heading', { name: caseStudy.title }).waitFor();
    await tabTo(/^TEXTAREA:message$/);
    await page.keyboard.type('Hello, what brings you in today?');
    await page.keyboard.press('Enter');
    await page.locator('#turn-2').waitFor();
    await tabTo(/End session/);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'End this session?' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await context.close();
  });
});
