/**
 * Coming back to a session: a second tab is asked "resume or start over?" and
 * both answers work; a reload offers to resume and shows the transcript and
 * the stored countdown; and the refusals (time used up, no attempts left)
 * read as plain words with the way forward.
 */
import { describe, expect, it } from 'vitest';
import { checkPage } from './page-checks.js';
import { asDemoStudent, launchBrowser, openPage, signInAs, startStack } from './stack.js';

const stack = await startStack();
const browser = await launchBrowser();
const [firstCase, secondCase, thirdCase] = stack.seeded.caseStudies;

async function signedInPage(path = '/') {
  const opened = await openPage(browser, stack, '/');
  await signInAs(opened.page);
  if (path !== '/') await opened.page.goto(path);
  return opened;
}

/** A text session of the demo student with one answered turn, started through the API. */
async function liveTextSession(caseId: string) {
  const started = await asDemoStudent(stack, '/v1/sessions/initialize', { content_id: caseId, channel: 'text' });
  expect(started.status).toBe(200);
  const id: string = started.body.data.session.id;
  const turn = await asDemoStudent(stack, `/v1/sessions/${id}/messages`, { body: 'Hello, what brings you in today?' });
  expect(turn.status).toBe(200);
  return id;
}

const sessionRow = async (id: string) =>
  (
    await stack.db.sql<{ status: string; end_reason: string | null }[]>`
    select status, end_reason from sessions where id = ${id}`
  )[0];

describe('a session already in progress', () => {
  it('asks a second tab to resume or start over, and both choices work', async () => {
    const first = await signedInPage(`/cases/${firstCase!.id}/start/text`);
    await first.page.waitForURL(/\/sessions\/[0-9a-f-]+\/text$/);
    const sessionId = first.page.url().split('/').at(-2)!;
    await first.page.getByLabel(/Your message to/).fill('Hello, what brings you in today?');
    await first.page.getByRole('button', { name: 'Send' }).click();
    await first.page.locator('#turn-2').waitFor();

    const second = await signedInPage(`/cases/${firstCase!.id}/start/text`);
    const dialog = second.page.getByRole('dialog', { name: 'You have a session in progress' });
    await dialog.waitFor();
    await checkPage(second.page, 'resume-or-start-over dialog');
    await dialog.getByRole('button', { name: 'Resume it' }).click();
    await second.page.waitForURL(`**/sessions/${sessionId}/text`);
    expect(await second.page.locator('#turn-1 .content').textContent()).toBe('Hello, what brings you in today?');

    const third = await signedInPage(`/cases/${firstCase!.id}/start/text`);
    await third.page.getByRole('dialog', { name: 'You have a session in progress' }).waitFor();
    await third.page.getByRole('button', { name: 'End it and start over' }).click();
    await third.page.waitForURL(
      (url) => /^\/sessions\/.+\/text$/.test(url.pathname) && !url.pathname.includes(sessionId),
    );
    expect(await sessionRow(sessionId)).toEqual({ status: 'ended', end_reason: 'user_ended' });
    const newId = third.page.url().split('/').at(-2)!;
    expect(newId).not.toBe(sessionId);
    expect(await sessionRow(newId)).toMatchObject({ status: 'pending' });
    await Promise.all([first.context.close(), second.context.close(), third.context.close()]);
  });

  it('offers to resume after a reload, then shows the transcript and the stored countdown', async () => {
    const { page, context } = await signedInPage(`/cases/${secondCase!.id}/start/text`);
    await page.waitForURL(/\/sessions\/[0-9a-f-]+\/text$/);
    const sessionId = page.url().split('/').at(-2)!;
    await page.getByLabel(/Your message to/).fill('How long has this been going on?');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('#turn-2').waitFor();
    // As if four minutes had been used before the reload.
    await stack.db.sql`update sessions set elapsed_active_time = 240, segment_base = 240 where id = ${sessionId}`;

    await page.reload();
    const offer = page.getByRole('dialog', { name: 'Resume your session?' });
    await offer.waitFor();
    await checkPage(page, 'resume offer after a reload');
    await offer.getByRole('button', { name: 'Resume it' }).click();

    expect(await page.locator('#turn-1 .content').textContent()).toBe('How long has this been going on?');
    expect(await page.locator('#turn-2 .content').textContent()).not.toBe('');
    const stored = await asDemoStudent(stack, `/v1/sessions/${sessionId}`);
    const expected = stored.body.data.duration_limit - stored.body.data.elapsed_active_time;
    const shown = Number(await page.getByTestId('countdown').getAttribute('data-remaining'));
    expect(Math.abs(shown - expected)).toBeLessThanOrEqual(2);
    expect(shown).toBeLessThanOrEqual(secondCase!.durationLimit - 240);
    await context.close();
  });
});

describe('refusals in plain words', () => {
  it('says the time is used up when a resume finds the clock at zero, and leads to the report', async () => {
    const sessionId = await liveTextSession(thirdCase!.id);
    await stack.db.sql`
      update sessions set elapsed_active_time = duration_limit, segment_base = duration_limit where id = ${sessionId}`;

    const { page, context } = await signedInPage(`/cases/${thirdCase!.id}/start/voice?resume=${sessionId}`);
    await page.getByRole('heading', { name: 'Your time is used up' }).waitFor();
    await checkPage(page, 'time used up');
    expect(await sessionRow(sessionId)).toEqual({ status: 'ended', end_reason: 'timer_expired' });
    await page.getByRole('link', { name: 'Read the report' }).click();
    await page.waitForURL(`**/sessions/${sessionId}/report`);
    await page.getByTestId('score').waitFor({ timeout: 20_000 });
    await context.close();
  });

  it('says no attempts are left when the case allows no more', async () => {
    await stack.db.sql`update case_studies set max_attempts = 1 where id = ${thirdCase!.id}`;

    const { page, context } = await signedInPage('/');
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: thirdCase!.title }) });
    await card.getByText('1 of 1 used').waitFor();
    await card.getByRole('link', { name: 'Start by typing' }).click();
    await page.getByRole('heading', { name: 'No attempts left' }).waitFor();
    expect(await page.getByText('You have used all 1 attempt this case allows.').count()).toBe(1);
    await checkPage(page, 'no attempts left');
    const sessions = await asDemoStudent(stack, `/v1/sessions?content_id=${thirdCase!.id}`);
    expect(sessions.body.total).toBe(1);
    await context.close();
  });
});
