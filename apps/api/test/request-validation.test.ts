import { sessions } from '@sp/db';
import { describe, expect, it } from 'vitest';
import { buildTestApp, send, studentOf } from './support.js';

const test = await buildTestApp();
const student = await studentOf(test);
const initialize = (options: Parameters<typeof send>[3]) =>
  send(test.app, 'POST', '/v1/sessions/initialize', { token: student.token, ...options });

describe('request validation', () => {
  it('answers 400 INVALID_JSON for a body that is not JSON', async () => {
    const { status, body } = await initialize({
      body: '{"content_id":',
      headers: { 'content-type': 'application/json' },
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ success: false, error: { code: 'INVALID_JSON' } });
  });

  it('answers 415 UNSUPPORTED_MEDIA_TYPE for a body that is not declared as JSON', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const { status, body } = await initialize({
        body: `content_id=${test.caseStudy.id}`,
        headers: { 'content-type': contentType },
      });
      expect(status, contentType).toBe(415);
      expect(body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('answers 422 VALIDATION_ERROR naming content_id when it is missing, of the wrong type or empty', async () => {
    for (const json of [{}, { content_id: 42 }, { content_id: '' }, { content_id: null }, []]) {
      const { status, body } = await initialize({ json });
      expect(status, JSON.stringify(json)).toBe(422);
      expect(body.error.code).toBe('VALIDATION_ERROR');
      expect(JSON.stringify(body.error.details.fields)).toMatch(/content_id|\(root\)/);
    }
  });

  it('names every bad field at once', async () => {
    const { status, body } = await initialize({ json: { content_id: '', session_id: 7 } });
    expect(status).toBe(422);
    expect(body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'content_id',
      'session_id',
    ]);
    expect(body.error.details.fields[0]).toMatchObject({ in: 'body' });
  });

  it('answers 422 for oversize strings and 413 PAYLOAD_TOO_LARGE for an oversize body, never 500', async () => {
    const long = await initialize({ json: { content_id: 'a'.repeat(5_000) } });
    expect(long.status).toBe(422);
    const huge = await initialize({ json: { content_id: test.caseStudy.id, padding: 'x'.repeat(200_000) } });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 404 for unknown ids in the path and the body without creating anything', async () => {
    const unknown = '00000000-0000-4000-8000-0000000000ff';
    const answers = await Promise.all([
      initialize({ json: { content_id: unknown } }),
      initialize({ json: { content_id: test.caseStudy.id, session_id: unknown } }),
      send(test.app, 'GET', `/v1/sessions/${'9'.repeat(99)}`, { token: student.token }),
      send(test.app, 'GET', `/v1/case-studies/${unknown}`, { token: student.token }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404]);
    expect(await test.db.db.select().from(sessions)).toEqual([]);
  });

  it('answers 422 for a path id longer than any id could be', async () => {
    const { status, body } = await send(test.app, 'GET', `/v1/sessions/${'9'.repeat(300)}`, { token: student.token });
    expect(status).toBe(422);
    expect(body.error.details.fields[0]).toMatchObject({ field: 'session_id', in: 'param' });
  });
});
