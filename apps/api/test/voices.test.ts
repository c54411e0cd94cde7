/** GET /v1/voices, and a case naming a voice the provider lacks refused where cases are validated (the seed). */
import { OPENAI_TTS_VOICES, voiceCatalog } from '@sp/core';
import { caseStudies, seedDemo } from '@sp/db';
import { describe, expect, it } from 'vitest';
import { buildTestApp, send, tokenFor } from './support.js';

const openai = await buildTestApp();
const listed = await buildTestApp({
  env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', TTS_VOICES: 'af_bella, am_adam' },
});
const open = await buildTestApp({ env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' } });

async function voicesOf(test: typeof openai) {
  const token = await tokenFor({ userId: 'ines', tenantId: test.tenant.id, role: 'instructor' });
  return send(test.app, 'GET', '/v1/voices', { token });
}

describe('GET /v1/voices', () => {
  it("lists OpenAI's voices on OpenAI itself", async () => {
    const { status, body } = await voicesOf(openai);
    expect(status).toBe(200);
    expect(body.data).toEqual({
      provider: 'openai',
      voices: OPENAI_TTS_VOICES.map((id) => ({ id })),
      any_name: false,
    });
  });

  it('lists TTS_VOICES for another OpenAI-compatible server, or says any name passes when it lists none', async () => {
    expect((await voicesOf(listed)).body.data).toEqual({
      provider: 'openai-compatible',
      voices: [{ id: 'af_bella' }, { id: 'am_adam' }],
      any_name: false,
    });
    expect((await voicesOf(open)).body.data).toEqual({ provider: 'openai-compatible', voices: [], any_name: true });
  });

  it('needs a token', async () => {
    expect((await send(openai.app, 'GET', '/v1/voices')).status).toBe(401);
  });
});

describe('a case naming an unknown voice', () => {
  it('is refused at seeding, before anything is written', async () => {
    const before = await openai.db.db.select().from(caseStudies);
    await expect(seedDemo(openai.db.db, { voices: voiceCatalog({ TTS_VOICES: 'alloy' }) })).rejects.toThrow(
      /case study .*: voice "\w+" is not one the text-to-speech provider offers \(alloy\)/,
    );
    expect(await openai.db.db.select().from(caseStudies)).toHaveLength(before.length);
  });

  it("passes with the provider's own voices", async () => {
    const seeded = await seedDemo(openai.db.db, { voices: voiceCatalog({}) });
    for (const cs of seeded.caseStudies) expect(OPENAI_TTS_VOICES).toContain(cs.persona.voice);
  });
});
