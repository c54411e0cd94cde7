/**
 * The instructor console in Chromium against the real API: a student types a
 * session in one browser profile while the instructor watches it appear live
 * in the sessions table of another (no reload), then reads its transcript and
 * report side by side and regrades it; a student never sees the console.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPage } from './page-checks.js';
import { ARTIFACTS_DIR, launchBrowser, openPage, signInAs, startStack } from './stack.js';

const stack = await startStack();
const browser = await launchBrowser();
const caseStudy = stack.seeded.caseStudies[0]!;
beforeAll(() => mkdir(ARTIFACTS_DIR, { recursive: true }));

/** The sessions table's row of one session. */
const rowOf = (page: Page, sessionId: string) => page.locator(`tr[data-session-id="${sessionId}"]`);

describe('the instructor console', () => {
  it('shows a typed session live, then its transcript and report side by side, and regrades it', async () => {
    const staff = await openPage(browser, stack, '/');
    await signInAs(staff.page, 'Ines Instructor');
    await staff.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions' }).click();
    await staff.page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    await staff.page.getByText('No sessions match.').waitFor();

    const student = await openPage(browser, stack, '/');
    await signInAs(student.page);
    await student.page.goto(`/cases/${caseStudy.id}/start/text`);
    await student.page.waitForURL(/\/sessions\/[0-9a-f-]+\/text$/);
    const sessionId = student.page.url().split('/').at(-2)!;
    await student.page.getByLabel(/Your message to/).fill("Hello, I'm Sam. What brings you in today?");
    await student.page.getByRole('button', { name: 'Send' }).click();
    await student.page.locator('#turn-2').waitFor();

    // The instructor's table picks the session up by itself, live.
    const row = rowOf(staff.page, sessionId);
    await row.getByText('Live').waitFor({ timeout: 10_000 });
    expect(await row.getByRole('link', { name: 'demo-student', exact: true }).count()).toBe(1);
    expect(await row.getByText(caseStudy.title).count()).toBe(1);
    await staff.page.screenshot({ path: join(ARTIFACTS_DIR, 'staff-sessions.png'), fullPage: true });
    await checkPage(staff.page, 'staff sessions');

    // Filtering to ended sessions hides it; back to any status shows it.
    await staff.page.getByLabel('Status').selectOption('ended');
    await staff.page.getByRole('button', { name: 'Apply filters' }).click();
    await staff.page.getByText('No sessions match.').waitFor();
    await staff.page.getByLabel('Status').selectOption('');
    await staff.page.getByRole('button', { name: 'Apply filters' }).click();
    await row.waitFor();

    // The live session's page shows the transcript growing, with no report yet.
    await row.getByRole('link', { name: /Review/ }).click();
    await staff.page.waitForURL(`**/staff/sessions/${sessionId}`);
    await staff.page.getByTestId('session-status').getByText('Live').waitFor();
    await staff.page.locator('#turn-2').waitFor();
    await staff.page.getByText('The session is still in progress').waitFor();
    await student.page.getByLabel(/Your message to/).fill('How long has this been going on?');
    await student.page.getByRole('button', { name: 'Send' }).click();
    await staff.page.locator('#turn-4').waitFor({ timeout: 10_000 });
    expect(await staff.page.locator('#turn-3 .content').textContent()).toBe('How long has this been going on?');
    await checkPage(staff.page, 'staff live session');

    // The student ends; the instructor's page turns to the graded report beside the transcript.
    await student.page.getByRole('button', { name: 'End session' }).click();
    await student.page.getByRole('button', { name: 'End and see my report' }).click();
    await staff.page
      .getByTestId('session-status')
      .getByText('Ended: the student ended it')
      .waitFor({ timeout: 10_000 });
    await staff.page.getByTestId('score').waitFor({ timeout: 20_000 });
    const transcriptBox = await staff.page.locator('.transcript-box').boundingBox();
    const reportBox = await staff.page.locator('.rubric').boundingBox();
    expect(reportBox!.x, 'the report stands beside the transcript').toBeGreaterThan(transcriptBox!.x + 100);
    expect(await staff.page.locator('.turn-user .speaker').first().textContent()).toBe('Student');
    await staff.page.screenshot({ path: join(ARTIFACTS_DIR, 'staff-session-review.png'), fullPage: true });
    await checkPage(staff.page, 'staff session review');

    // Regrade: the report is graded again (a later completion) and shown again.
    const completedAt = async () =>
      (
        await stack.db.sql<{ at: number | null }[]>`
        select extract(epoch from completed_at)::float8 as at from grade_reports where session_id = ${sessionId}`
      )[0]?.at ?? 0;
    const firstGrading = await completedAt();
    expect(firstGrading).toBeGreaterThan(0);
    await staff.page.getByRole('button', { name: 'Regrade' }).click();
    await staff.page.getByText('Regrade queued.').waitFor();
    await expect.poll(completedAt, { timeout: 20_000 }).toBeGreaterThan(firstGrading);
    await staff.page.getByTestId('score').waitFor({ timeout: 10_000 });

    // Back in the table the row is ended, with its score.
    await staff.page.getByRole('link', { name: 'All sessions' }).click();
    await rowOf(staff.page, sessionId).getByText('Ended: the student ended it').waitFor();
    await rowOf(staff.page, sessionId).getByText('%').waitFor();
    await staff.context.close();
    await student.context.close();
  });

  it('is not offered to a student, and tells one who types its address that it is for staff', async () => {
    const { page, context } = await openPage(browser, stack, '/');
    await signInAs(page);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'My sessions' }).count()).toBe(1);
    expect(await nav.getByRole('link', { name: 'Sessions', exact: true }).count()).toBe(0);
    await page.goto('/staff/sessions');
    await page.getByText('This page is for instructors and admins.').waitFor();
    expect(await page.getByRole('table').count()).toBe(0);
    await context.close();
  });
});
