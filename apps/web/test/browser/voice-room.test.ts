/**
 * The voice room's ways out, in Chromium with a fake microphone: LiveKit
 * cannot be reached (the server_url the API hands out points nowhere) → plain
 * words → the same session carries on by typing; the microphone refused → the
 * explanation. No LiveKit server runs here: the room's own logic is unit-tested.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkPage } from './page-checks.js';
import { launchBrowser, newContext, signInAs, startStack } from './stack.js';

/** A port nothing listens on: taken, then released. */
const closedPort = await new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});
const stack = await startStack({ liveKitPublicUrl: `ws://127.0.0.1:${closedPort}` });
const browser = await launchBrowser(['--use-fake-device-for-media-stream']);

async function signedIn(options: { microphone: boolean }) {
  const context = await newContext(browser, stack);
  if (options.microphone) await context.grantPermissions(['microphone'], { origin: stack.url });
  const page = await context.newPage();
  await page.goto('/');
  await signInAs(page);
  return { context, page };
}

describe('the voice room', () => {
  it('says plainly when LiveKit cannot be reached, and carries the same session on by typing', async () => {
    const { page, context } = await signedIn({ microphone: true });
    const caseStudy = stack.seeded.caseStudies[0]!;
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: caseStudy.title }) });
    await card.getByRole('link', { name: 'Start talking' }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]+\/voice$/);
    const sessionId = page.url().split('/').at(-2)!;
    await checkPage(page, 'voice: microphone explanation');

    await page.getByRole('button', { name: 'Allow the microphone and join' }).click();
    await page.getByRole('heading', { name: 'Voice is unavailable right now' }).waitFor({ timeout: 20_000 });
    expect(await page.getByRole('alert').textContent()).toContain('carry on with it by typing');
    await checkPage(page, 'voice: unreachable');

    await page.getByRole('button', { name: 'Continue by typing' }).click();
    await page.waitForURL(`**/sessions/${sessionId}/text`);
    await page.getByLabel(/Your message to/).fill('Hello, what brings you in today?');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('#turn-2').waitFor();
    const rows = await stack.db.sql<{ id: string }[]>`select id from sessions where content_id = ${caseStudy.id}`;
    expect(rows.map((r) => r.id)).toEqual([sessionId]);
    await context.close();
  });

  it('explains a refused microphone and offers typing instead', async () => {
    const { page, context } = await signedIn({ microphone: false });
    const caseStudy = stack.seeded.caseStudies[1]!;
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: caseStudy.title }) });
    await card.getByRole('link', { name: 'Start talking' }).click();
    await page.getByRole('button', { name: 'Allow the microphone and join' }).click();
    await page.getByRole('heading', { name: 'The microphone is not available' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('not letting this page use the microphone');
    await checkPage(page, 'voice: microphone refused');
    expect(await page.getByRole('button', { name: 'Continue by typing' }).count()).toBe(1);
    await context.close();
  });

  it('offers to resume, never ends, when the voice page is opened again after a reload', async () => {
    const { page, context } = await signedIn({ microphone: true });
    const caseStudy = stack.seeded.caseStudies[2]!;
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: caseStudy.title }) });
    await card.getByRole('link', { name: 'Start talking' }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]+\/voice$/);
    const sessionId = page.url().split('/').at(-2)!;
    await page.reload();
    await page.getByRole('heading', { name: 'Connection lost — resume?' }).waitFor();
    await checkPage(page, 'voice: connection lost');
    const [row] = await stack.db.sql<{ status: string }[]>`select status from sessions where id = ${sessionId}`;
    expect(row?.status).not.toBe('ended');
    await page.getByRole('link', { name: 'Back to the cases' }).click();
    await card.getByText('You have a session in progress for this case.').waitFor();
    await context.close();
  });
});
