/**
 * Case authoring in Chromium against the real API: an instructor writes a new case (persona, facts
 * with one revealed only when asked, a rubric whose weights' sum is shown), sees the compiled patient
 * instructions follow the form live, tries it by typing (a preview session), publishes it, edits it
 * and reads the difference from the published version; a student of the tenant then sees the case
 * (as published) and completes a typed session on it. Every authoring page gets the accessibility,
 * 375 px and content-security checks.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { checkPage } from './page-checks.js';
import { ARTIFACTS_DIR, launchBrowser, openPage, signInAs, startStack } from './stack.js';

const stack = await startStack();
const browser = await launchBrowser();

const ALLERGY = 'Only to cats: they make me sneeze.';
const fill = (page: Page, label: string, value: string, nth = 0) =>
  page.getByLabel(label, { exact: true }).nth(nth).fill(value);

describe('authoring a case in the web app', () => {
  it('creates, tries, publishes and revises a case; a student then sees it and completes a typed session', async () => {
    const { page } = await openPage(browser, stack, '/');
    await signInAs(page, 'Ines Instructor');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Authoring', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Case studies' }).waitFor();
    await page.getByRole('link', { name: stack.seeded.caseStudies[0]!.title }).waitFor();
    await checkPage(page, 'case list');

    await page.getByRole('link', { name: 'Write a new case' }).click();
    await page.getByRole('heading', { level: 1, name: 'New case study' }).waitFor();
    await fill(page, 'Case title', 'A sore throat');
    await fill(page, 'Slug', 'sore-throat');
    await fill(page, 'Description', 'A young adult with a sore throat for three days.');
    await fill(page, 'Patient name', 'Robin Reyes');
    await fill(page, 'Age', '22');
    await page.getByLabel('Sex', { exact: true }).selectOption('female');
    await fill(page, 'Personality', 'Friendly, a little hoarse, wants to get back to work.');
    await fill(page, 'Opening line', 'Hi, my throat has been killing me.');
    await fill(page, 'Topic', 'Presenting complaint');
    await fill(page, 'What the patient says', 'My throat has been sore for three days and it hurts to swallow.');
    await fill(page, 'Keywords (comma-separated)', 'what brings you, throat, sore');
    await page.getByRole('button', { name: 'Add a fact' }).click();
    await fill(page, 'Fact id', 'allergies', 1);
    await fill(page, 'Topic', 'Allergies', 1);
    await fill(page, 'What the patient says', ALLERGY, 1);
    await fill(page, 'Keywords (comma-separated)', 'allergies, allergic', 1);
    await page.getByLabel('Reveal only when asked').nth(1).check();
    await fill(page, 'Item title', 'Introduction');
    await fill(page, 'What counts as met', 'The student gives their name and role.');
    await fill(page, 'Weight', '2');
    await fill(page, 'Cues (comma-separated)', '<name>, my name is');
    await page.getByRole('button', { name: 'Add a rubric item' }).click();
    await fill(page, 'Item title', 'Allergies', 1);
    await fill(page, 'What counts as met', 'The student asks about allergies.', 1);
    await fill(page, 'Weight', '3', 1);
    await fill(page, 'Cues (comma-separated)', 'allergies, allergic', 1);
    await page.getByTestId('weight-sum').getByText('Weights sum: 5').waitFor();
    // The compiled instructions follow the form as it is typed, the asked-only fact in its own section.
    const compiled = page.getByTestId('compiled-instructions');
    await compiled.getByText(/You are Robin Reyes, 22 years old/).waitFor();
    expect(await compiled.textContent()).toMatch(/only when asked[\s\S]*Only to cats/);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'case-editor.png') });
    await checkPage(page, 'case editor');

    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/staff\/cases\/[0-9a-f-]{36}$/);
    const caseId = page.url().split('/').at(-1)!;
    await page.getByTestId('case-status').getByText('Status: Draft').waitFor();

    // Try it: a preview session by typing, answered from the draft.
    await page.getByRole('button', { name: 'Try it' }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]+\/text$/);
    const previewId = page.url().split('/').at(-2)!;
    await page.getByLabel(/Your message to/).fill('Do you have any allergies?');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('#turn-2').waitFor();
    expect(await page.locator('#turn-2 .content').textContent()).toBe(ALLERGY);
    const [preview] = await stack.db.sql`select preview, attempt_number from sessions where id = ${previewId}`;
    expect(preview).toEqual({ preview: true, attempt_number: 0 });

    // Publish, then revise the title and read what changed since version 1.
    await page.goto(`/staff/cases/${caseId}`);
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Published as version 1.').waitFor();
    await page.getByText(/^Version 1,/).waitFor();
    await fill(page, 'Case title', 'A sore throat in a student');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('case-status').getByText('(unpublished changes)').waitFor();
    await page.getByRole('button', { name: 'Unpublished changes' }).click();
    const diff = page.getByTestId('version-diff');
    await diff.getByText('“A sore throat” → “A sore throat in a student”').waitFor();
    expect(await diff.locator('code').allTextContents()).toEqual(['title']);
    await checkPage(page, 'case editor with versions');

    // A student of the tenant sees the published version and completes a typed session on it.
    const student = await openPage(browser, stack, '/');
    await signInAs(student.page);
    const card = student.page
      .getByRole('listitem')
      .filter({ has: student.page.getByRole('heading', { name: 'A sore throat', exact: true }) });
    await card.getByRole('link', { name: 'Start by typing' }).click();
    await student.page.waitForURL(/\/sessions\/[0-9a-f-]+\/text$/);
    const sessionId = student.page.url().split('/').at(-2)!;
    await student.page.getByLabel(/Your message to/).fill('Hello, my name is Sam. Do you have any allergies?');
    await student.page.getByRole('button', { name: 'Send' }).click();
    await student.page.locator('#turn-2').waitFor();
    await student.page.getByRole('button', { name: 'End session' }).click();
    await student.page.getByRole('button', { name: 'End and see my report' }).click();
    await student.page.waitForURL(`**/sessions/${sessionId}/report`);
    await student.page.getByTestId('score').waitFor({ timeout: 20_000 });
    const [row] = await stack.db.sql`select preview, attempt_number, status from sessions where id = ${sessionId}`;
    expect(row).toEqual({ preview: false, attempt_number: 1, status: 'ended' });

    // Authoring is not offered to the student, and its address tells them it is for staff.
    const nav = student.page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Authoring', exact: true }).count()).toBe(0);
    await student.page.goto(`/staff/cases/${caseId}`);
    await student.page.getByText('This page is for instructors and admins.').waitFor();
    expect(await student.page.getByRole('button', { name: 'Publish' }).count()).toBe(0);

    // Unpublished, the case leaves the student's list.
    await page.getByRole('button', { name: 'Unpublish', exact: true }).click();
    await page.getByTestId('case-status').getByText('Status: Unpublished').waitFor();
    await student.page.goto('/');
    await student.page.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
    await student.page.getByRole('heading', { name: stack.seeded.caseStudies[0]!.title }).waitFor();
    expect(await student.page.getByRole('heading', { name: 'A sore throat', exact: true }).count()).toBe(0);
  }, 120_000);
});
