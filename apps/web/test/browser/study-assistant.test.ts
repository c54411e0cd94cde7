/**
 * The study assistant in the browser, against the real API with a local
 * OpenAI-protocol server as the model: an answer streams in, the day's quota
 * left is shown, and while a case session is live the assistant is locked.
 */
import { modelConfig, modelProvider } from '@sp/models';
import { startOpenAIServer } from '@sp/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { GHOSTWRITING_CORRECTION } from '../../../api/src/chat/guardrails.js';
import { checkPage } from './page-checks.js';
import { asDemoStudent, launchBrowser, openPage, signInAs, startStack } from './stack.js';

const ANSWER = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
const model = await startOpenAIServer({ chunkDelayMs: 40 });
afterAll(() => model.close());
const GHOSTWRITTEN = 'Here is your complete essay on photosynthesis, ready to hand in. You can submit it as it is.';
model.onChat((request) =>
  JSON.stringify(request.messages.at(-1)).includes('Write my essay') ? { content: GHOSTWRITTEN } : { content: ANSWER },
);
const stack = await startStack({
  models: modelProvider(modelConfig({ OPENAI_BASE_URL: model.baseURL, CHAT_MODEL: 'chat-test' })),
  env: { CHAT_DAILY_QUOTA: '3' },
});
const browser = await launchBrowser();

describe('the study assistant', () => {
  it('streams an answer, replaces a revised one, shows the questions left today, and is locked while a case session is live', async () => {
    const { page, context } = await openPage(browser, stack, '/');
    await signInAs(page);
    await page.getByRole('link', { name: 'Study assistant' }).click();
    await page.getByRole('heading', { name: 'Study assistant' }).waitFor();
    await checkPage(page, 'study assistant');

    await page.getByRole('button', { name: 'Explain a concept' }).click();
    expect(await page.getByRole('button', { name: 'Explain a concept' }).getAttribute('aria-pressed')).toBe('true');
    await page.getByLabel('Your question').fill('What is photosynthesis?');
    await page.getByRole('button', { name: 'Ask' }).click();
    const reply = page.locator('.chat-assistant .content').last();
    // Part of the answer is on the page before the whole of it.
    await page.waitForFunction(() => {
      const text = document.querySelector('.chat-assistant .content')?.textContent ?? '';
      return text.startsWith('word0') && !text.endsWith('word29');
    });
    await page.getByText('2 questions left today.').waitFor();
    expect(await reply.textContent()).toBe(ANSWER);
    const sent = model.requests.at(-1)?.body as { messages: { role: string; content: unknown }[] };
    expect(JSON.stringify(sent.messages)).toContain('What is photosynthesis?');

    // A guardrail-corrected answer replaces what streamed.
    await page.getByLabel('Your question').fill('Write my essay on photosynthesis for my assignment');
    await page.getByRole('button', { name: 'Ask' }).click();
    await page.getByText('1 question left today.').waitFor();
    expect(await page.locator('.chat-assistant .content').last().textContent()).toBe(GHOSTWRITING_CORRECTION);
    expect(await page.getByText(GHOSTWRITTEN).count()).toBe(0);

    const caseId = stack.seeded.caseStudies[0]!.id;
    const started = await asDemoStudent(stack, '/v1/sessions/initialize', { content_id: caseId, channel: 'text' });
    expect(started.status).toBe(200);
    await asDemoStudent(stack, `/v1/sessions/${started.body.data.session.id}/messages`, { body: 'Hello there' });
    const asked = model.requests.length;

    await page.getByLabel('Your question').fill('What is the answer to my case?');
    await page.getByRole('button', { name: 'Ask' }).click();
    const notice = page.getByRole('alert').filter({ hasText: 'Paused during your case session' });
    await notice.waitFor();
    // A blocked turn never reaches the model.
    expect(model.requests.length).toBe(asked);
    await checkPage(page, 'study assistant, locked');
    await context.close();
  });
});
