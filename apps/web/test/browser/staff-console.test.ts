/**
 * The instructor console in Chromium against the real API: a student types a
 * session in one browser profile while the instructor watches it appear live
 * in the sessions table of another (no reload), reads its transcript and
 * report side by side, regrades it, corrects and confirms verdicts (the score
 * and the grader agreement follow), exports CSV, reads the case's cohort and
 * the student's page (grants attempts, sets a time accommodation), and ends
 * another live session. Every staff page gets the accessibility, 375 px and
 * content-security checks; a student never sees the console.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { accommodatedDuration, SESSIONS_CSV_COLUMNS, TRANSCRIPT_CSV_COLUMNS } from '@sp/core';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPage, tabToControl } from './page-checks.js';
import { ARTIFACTS_DIR, asDemoStudent, launchBrowser, openPage, signInAs, startStack } from './stack.js';

const stack = await startStack();
const browser = await launchBrowser();
const [caseStudy, otherCase, thirdCase] = stack.seeded.caseStudies;
beforeAll(() => mkdir(ARTIFACTS_DIR, { recursive: true }));

/** The sessions table's row of one session. */
const rowOf = (page: Page, sessionId: string) => page.locator(`tr[data-session-id="${sessionId}"]`);
const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
const staffNav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

/** Clicks an export button and returns the downloaded file's name and text. */
async function download(page: Page, button: string) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  return { name: file.suggestedFilename(), text: await readFile((await file.path())!, 'utf8') };
}

describe('the instructor console', () => {
  it('follows a typed session live, reviews, regrades and corrects it, exports, and shows cohort and student', async () => {
    const staff = await openPage(browser, stack, '/');
    await signInAs(staff.page, 'Ines Instructor');
    await staffNav(staff.page, 'Sessions');
    await staff.page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    await staff.page.getByText('No sessions match.').waitFor();

    const student = await openPage(browser, stack, '/');
    await signInAs(student.page);
    await student.page.goto(`/cases/${caseStudy!.id}/start/text`);
    await student.page.waitForURL(/\/sessions\/[0-9a-f-]+\/text$/);
    const sessionId = student.page.url().split('/').at(-2)!;
    await student.page.getByLabel(/Your message to/).fill("Hello, I'm Sam. What brings you in today?");
    await student.page.getByRole('button', { name: 'Send' }).click();
    await student.page.locator('#turn-2').waitFor();

    // The instructor's table picks the session up by itself, live.
    const row = rowOf(staff.page, sessionId);
    await row.getByText('Live').waitFor({ timeout: 10_000 });
    expect(await row.getByRole('link', { name: 'Sam Student', exact: true }).count()).toBe(1);
    expect(await row.getByText(caseStudy!.title).count()).toBe(1);
    expect(await row.getByText('Typing').count()).toBe(1);
    await shot(staff.page, 'staff-sessions');
    await checkPage(staff.page, 'staff sessions');

    // Filters go to the API: voice sessions only hides it, any channel shows it again.
    await staff.page.getByLabel('Channel').selectOption('voice');
    await staff.page.getByRole('button', { name: 'Apply filters' }).click();
    await staff.page.getByText('No sessions match.').waitFor();
    await staff.page.getByLabel('Channel').selectOption('');
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
    await shot(staff.page, 'staff-live-session');
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

    // Regrade: graded again (a later completion), shown again.
    const completedAt = async () =>
      (
        await stack.db.sql<{ at: number | null }[]>`
        select extract(epoch from completed_at)::float8 as at from grade_reports where session_id = ${sessionId}`
      )[0]?.at ?? 0;
    const firstGrading = await completedAt();
    expect(firstGrading).toBeGreaterThan(0);
    await staff.page.getByRole('button', { name: 'Regrade' }).click();
    await expect.poll(completedAt, { timeout: 20_000 }).toBeGreaterThan(firstGrading);
    await staff.page.getByTestId('score').waitFor({ timeout: 10_000 });

    // Correct a "Not met" item to "Met" with a note: the score rises, the grader's own score is shown
    // beside it, and the case's agreement is 0 of 1. Confirming another item makes it 1 of 2.
    const scoreOnPage = async () => Number((await staff.page.getByTestId('score').textContent())!.replace('%', ''));
    const before = await scoreOnPage();
    expect(await staff.page.getByTestId('case-agreement').textContent()).toContain('no reviews yet');
    const notMet = staff.page.locator('.rubric > li.verdict-not_met').first();
    const itemId = (await notMet.getAttribute('data-item-id'))!;
    const item = staff.page.locator(`.rubric > li[data-item-id="${itemId}"]`);
    await item.getByRole('button', { name: /^Correct/ }).click();
    await item.getByLabel('Verdict').selectOption('met');
    await item.getByLabel('Note (why)').fill('She was asked this in turn 3, in other words.');
    await item.screenshot({ path: join(ARTIFACTS_DIR, 'staff-correction-form.png') });
    await checkPage(staff.page, 'staff correction form');
    await item.getByRole('button', { name: 'Save correction' }).click();
    await item.getByTestId('review').getByText('Corrected to Met').waitFor();
    expect(await item.getByTestId('review').textContent()).toContain('She was asked this in turn 3');
    expect(await item.locator('.correction-note').textContent()).toBe('Grader: Not met · Instructor: Met');
    await expect.poll(scoreOnPage).toBeGreaterThan(before);
    expect(await staff.page.getByTestId('grader-score').textContent()).toContain(`${before}%`);
    await expect.poll(() => staff.page.getByTestId('case-agreement').textContent()).toContain('0% of 1 reviewed');
    const metItem = staff.page.locator('.rubric > li.verdict-met').first();
    await metItem.getByRole('button', { name: /^Confirm/ }).click();
    await metItem.getByTestId('review').getByText('Confirmed').waitFor();
    await expect.poll(() => staff.page.getByTestId('case-agreement').textContent()).toContain('50% of 2 reviewed');
    const corrected = await scoreOnPage();
    await shot(staff.page, 'staff-session-review');
    await checkPage(staff.page, 'staff session review');

    // Back in the table the row is ended, with the corrected score.
    await staff.page.getByRole('link', { name: 'All sessions' }).click();
    await rowOf(staff.page, sessionId).getByText('Ended: the student ended it').waitFor();
    await rowOf(staff.page, sessionId).getByText(`${corrected}%`).waitFor();

    // Exports download with the documented header, this session in them.
    const sessionsCsv = await download(staff.page, 'Export sessions (CSV)');
    expect(sessionsCsv.name).toBe('sessions.csv');
    const [header, ...lines] = sessionsCsv.text.trim().split(/\r?\n/);
    expect(header).toBe(SESSIONS_CSV_COLUMNS.join(','));
    expect(lines.filter((l) => l.startsWith(sessionId))).toHaveLength(1);
    const transcriptsCsv = await download(staff.page, 'Export transcripts (CSV)');
    expect(transcriptsCsv.name).toBe('transcripts.csv');
    expect(transcriptsCsv.text.split(/\r?\n/)[0]).toBe(TRANSCRIPT_CSV_COLUMNS.join(','));
    expect(transcriptsCsv.text.split(/\r?\n/).filter((l) => l.startsWith(sessionId))).toHaveLength(4);

    // The case's cohort: one student, one attempt, the corrected item met by all, the agreement.
    await staffNav(staff.page, 'Cohort');
    await staff.page.getByRole('heading', { level: 1, name: 'Cohort' }).waitFor();
    await staff.page.getByTestId('agreement-overall').getByText('50% (1 of 2 reviewed items)').waitFor();
    const byCase = staff.page.getByRole('table', { name: 'Grader agreement by case' });
    expect(await byCase.getByRole('row').filter({ hasText: caseStudy!.title }).textContent()).toContain('50%');
    await shot(staff.page, 'staff-cohort-index');
    await checkPage(staff.page, 'staff cohort index');
    await staff.page.getByRole('navigation', { name: 'Cases' }).getByRole('link', { name: caseStudy!.title }).click();
    await staff.page.getByTestId('cohort-students').getByText('1', { exact: true }).waitFor();
    expect(await staff.page.getByTestId('cohort-attempts').textContent()).toBe('1');
    const bar = staff.page.locator(`.bars > li[data-item-id="${itemId}"]`);
    expect(await bar.locator('.bar-value').textContent()).toContain('100% met');
    expect(await staff.page.getByTestId('agreement-overall').textContent()).toContain('50%');
    await shot(staff.page, 'staff-cohort');
    await checkPage(staff.page, 'staff cohort');

    // The student's page: their sessions, two more attempts granted, a 1.25× time accommodation.
    await staffNav(staff.page, 'Students');
    await staff.page.getByRole('heading', { level: 1, name: 'Students' }).waitFor();
    await shot(staff.page, 'staff-students');
    await checkPage(staff.page, 'staff students');
    await staff.page.getByRole('link', { name: 'Sam Student' }).click();
    await staff.page.getByRole('heading', { level: 1, name: 'Student: Sam Student' }).waitFor();
    expect(await rowOf(staff.page, sessionId).count()).toBe(1);
    const standing = staff.page.locator(`tr[data-content-id="${caseStudy!.id}"]`);
    await standing.getByText(`1 of ${caseStudy!.maxAttempts}`).waitFor();
    await standing.getByRole('spinbutton').fill('2');
    await standing.getByRole('button', { name: /^Grant/ }).click();
    await standing.getByText(`1 of ${caseStudy!.maxAttempts + 2}`).waitFor();
    expect(await staff.page.getByTestId('grants').textContent()).toContain(
      `2 on ${caseStudy!.title} by demo-instructor`,
    );
    await staff.page.getByLabel('Duration multiplier').fill('1.25');
    await staff.page.getByLabel('Note').fill('Extra time agreed with student services');
    await staff.page.getByRole('button', { name: 'Save accommodation' }).click();
    await staff.page.getByTestId('accommodation').getByText('1.25×').waitFor();
    expect(await staff.page.getByTestId('accommodation').textContent()).toContain('student services');
    await shot(staff.page, 'staff-student');
    await checkPage(staff.page, 'staff student');
    // The student's next session runs 1.25 times the case's duration, and says so.
    await student.page.goto(`/cases/${otherCase!.id}/start/text`);
    await student.page.waitForURL(/\/sessions\/[0-9a-f-]+\/text$/);
    const liveId = student.page.url().split('/').at(-2)!;
    await student.page.getByTestId('extra-time').getByText('(1.25×)').waitFor();
    const remaining = Number(await student.page.getByTestId('countdown').getAttribute('data-remaining'));
    expect(remaining).toBeLessThanOrEqual(accommodatedDuration(otherCase!.durationLimit, 1.25));
    expect(remaining).toBeGreaterThan(otherCase!.durationLimit + 5);
    await shot(student.page, 'student-extra-time');
    await student.page.getByLabel(/Your message to/).fill('Hello there.');
    await student.page.getByRole('button', { name: 'Send' }).click();
    await student.page.locator('#turn-2').waitFor();

    // Ending that live session from its page, ungraded.
    await staff.page.goto(`/staff/sessions/${liveId}`);
    await staff.page.getByTestId('session-status').getByText('Live').waitFor();
    await staff.page.getByRole('button', { name: 'End this session' }).click();
    const dialog = staff.page.getByRole('dialog', { name: 'End this session for the student?' });
    await dialog.getByLabel('Grade it').uncheck();
    await shot(staff.page, 'staff-end-dialog');
    await checkPage(staff.page, 'staff end dialog');
    await dialog.getByRole('button', { name: 'End the session' }).click();
    await staff.page.getByTestId('session-status').getByText('Ended: ended by staff').waitFor();
    await staff.page.getByText('This session was not sent for grading.').waitFor();
    await student.page.getByLabel(/Your message to/).fill('Are you still there?');
    await student.page.getByRole('button', { name: 'Send' }).click();
    await student.page.getByRole('alert').getByText('Your instructor ended this session').waitFor();
    expect((await stack.db.sql`select status, end_reason from sessions where id = ${liveId}`)[0]).toEqual({
      status: 'ended',
      end_reason: 'staff_ended',
    });

    await staff.context.close();
    await student.context.close();
  }, 120_000);

  it('works by keyboard alone: to a session, then a verdict corrected with a note', async () => {
    const started = await asDemoStudent(stack, '/v1/sessions/initialize', {
      content_id: thirdCase!.id,
      channel: 'text',
    });
    const id: string = started.body.data.session.id;
    await asDemoStudent(stack, `/v1/sessions/${id}/messages`, { body: 'Hello, what brings you in today?' });
    expect((await asDemoStudent(stack, `/v1/sessions/${id}/end`, {})).status).toBe(200);
    const { page, context } = await openPage(browser, stack, '/');
    const tabTo = (text: RegExp) => tabToControl(page, text);
    await page
      .getByRole('button', { name: /Sign in as/ })
      .first()
      .waitFor();
    await tabTo(/Sign in as Ines Instructor/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
    await tabTo(/^A:Sessions$/);
    await page.keyboard.press('Enter');
    // The newest session comes first.
    await rowOf(page, id).waitFor();
    await tabTo(/^A:Review/);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/staff/sessions/${id}`);
    await page.getByTestId('score').waitFor({ timeout: 20_000 });
    await tabTo(/^BUTTON:Correct/);
    await page.keyboard.press('Enter');
    const form = page.getByRole('form', { name: /^Correct / });
    await form.waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('verdict');
    await page.keyboard.press('End');
    await tabTo(/^TEXTAREA:/);
    await page.keyboard.type('Checked by keyboard.');
    await tabTo(/^BUTTON:Save correction$/);
    await page.keyboard.press('Enter');
    await page.getByTestId('review').getByText('Corrected to Not met').waitFor();
    await context.close();
  });

  it('is not offered to a student, and tells one who types its address that it is for staff', async () => {
    const { page, context } = await openPage(browser, stack, '/');
    await signInAs(page);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'My sessions' }).count()).toBe(1);
    for (const name of ['Sessions', 'Cohort', 'Students']) {
      expect(await nav.getByRole('link', { name, exact: true }).count()).toBe(0);
    }
    await page.goto('/staff/sessions');
    await page.getByText('This page is for instructors and admins.').waitFor();
    expect(await page.getByRole('table').count()).toBe(0);
    await context.close();
  });
});
