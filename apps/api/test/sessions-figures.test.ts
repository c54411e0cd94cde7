/**
 * What a session answer computes beyond its row: the wall-clock duration, the
 * transcript as text with word counts and offsets, and the expiry figures
 * (reconnect deadline, reconnects and active time left, the join token's expiry).
 */
import { sessionMessages } from '@sp/db';
import { insertCaseStudy, insertSession } from '@sp/dev-postgres/testing';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { buildTestApp, send, studentOf, tokenFor } from './support.js';

let clock = new Date();
const test = await buildTestApp({
  now: () => clock,
  env: { MAX_RECONNECTS: '2', RECONNECT_WINDOW_SECONDS: '3600' },
});
const at = (iso: string) => new Date(iso);

describe('computed fields on GET /v1/sessions/{id}', () => {
  it('has a null duration, null offsets, an empty transcript and zero words while pending', async () => {
    const student = await studentOf(test);
    clock = new Date();
    const { body } = await student.initialize({ content_id: test.caseStudy.id });
    const id = body.data.session.id;
    await test.db.db.insert(sessionMessages).values({ sessionId: id, sequence: 1, role: 'user', content: 'Hello?' });

    const { status, body: read } = await student.get(`/v1/sessions/${id}`);

    expect(status).toBe(200);
    expect(read.data.status).toBe('pending');
    expect(read.data.duration_seconds).toBeNull();
    expect(read.data.messages[0].offset_seconds).toBeNull();
    expect(read.data.full_transcript).toBe('Student: Hello?');
    expect(read.data.word_count).toEqual({ student: 1, patient: 0, total: 1 });
  });

  it('counts the duration to now while the session runs, and formats every turn on one line', async () => {
    const student = await studentOf(test);
    const cs = await insertCaseStudy(test.db.db, test.tenant.id);
    const session = await insertSession(test.db.db, {
      tenantId: test.tenant.id,
      userId: student.caller.userId,
      contentId: cs.id,
      status: 'active',
      startTime: at('2026-03-01T09:00:00Z'),
      lastDisconnectAt: at('2026-03-01T09:01:00Z'),
      elapsedActiveTime: 60,
    });
    await test.db.db.insert(sessionMessages).values([
      {
        sessionId: session.id,
        sequence: 1,
        role: 'assistant',
        content: '  Good morning,\n doctor.  ',
        timestamp: at('2026-03-01T09:00:02.500Z'),
      },
      {
        sessionId: session.id,
        sequence: 2,
        role: 'user',
        content: 'Morning! What brings\tyou in today?',
        timestamp: at('2026-03-01T09:00:10Z'),
      },
    ]);
    clock = at('2026-03-01T09:02:30Z');

    const { body } = await student.get(`/v1/sessions/${session.id}`);

    expect(body.data.duration_seconds).toBe(150);
    expect(body.data.messages.map((m: { offset_seconds: number }) => m.offset_seconds)).toEqual([2.5, 10]);
    expect(body.data.full_transcript).toBe(
      'Patient: Good morning, doctor.\nStudent: Morning! What brings you in today?',
    );
    expect(body.data.word_count).toEqual({ student: 6, patient: 3, total: 9 });
  });

  it('gives the staff view the same figures', async () => {
    const student = await studentOf(test);
    const cs = await insertCaseStudy(test.db.db, test.tenant.id);
    const session = await insertSession(test.db.db, {
      tenantId: test.tenant.id,
      userId: student.caller.userId,
      contentId: cs.id,
      status: 'ended',
      endReason: 'user_ended',
      startTime: at('2026-03-01T09:00:00Z'),
      endTime: at('2026-03-01T09:04:00Z'),
      elapsedActiveTime: 200,
    });
    await test.db.db.insert(sessionMessages).values({
      sessionId: session.id,
      sequence: 1,
      role: 'user',
      content: 'a b c',
      timestamp: at('2026-03-01T09:01:00Z'),
    });
    const instructor = await tokenFor({ userId: 'ines', tenantId: test.tenant.id, role: 'instructor' });

    const { body } = await send(test.app, 'GET', `/v1/sessions/${session.id}`, { token: instructor });

    expect(body.data).toMatchObject({
      duration_seconds: 240,
      full_transcript: 'Student: a b c',
      word_count: { student: 3, patient: 0, total: 3 },
      remaining_active_time: 400,
    });
    expect(body.data.messages[0].offset_seconds).toBe(60);
  });
});

describe('expiry figures', () => {
  it('answers the reconnect deadline, reconnects and time left of a disconnected session', async () => {
    const student = await studentOf(test);
    const cs = await insertCaseStudy(test.db.db, test.tenant.id);
    const session = await insertSession(test.db.db, {
      tenantId: test.tenant.id,
      userId: student.caller.userId,
      contentId: cs.id,
      status: 'active',
      startTime: at('2026-03-01T09:00:00Z'),
      lastDisconnectAt: at('2026-03-01T09:05:00Z'),
      elapsedActiveTime: 185,
      reconnectCount: 1,
    });
    clock = at('2026-03-01T09:20:00Z');

    const { body } = await student.get(`/v1/sessions/${session.id}`);
    const { body: list } = await student.get(`/v1/sessions?content_id=${cs.id}`);

    const figures = {
      resume_deadline: '2026-03-01T10:05:00.000Z',
      reconnects_remaining: 1,
      remaining_active_time: 415,
    };
    expect(body.data).toMatchObject(figures);
    expect(list.data[0]).toMatchObject(figures);
  });

  it('has no resume deadline once the reconnects are used, and none after the session ended', async () => {
    const student = await studentOf(test);
    const cs = await insertCaseStudy(test.db.db, test.tenant.id);
    const used = await insertSession(test.db.db, {
      tenantId: test.tenant.id,
      userId: student.caller.userId,
      contentId: cs.id,
      status: 'active',
      startTime: at('2026-03-01T09:00:00Z'),
      lastDisconnectAt: at('2026-03-01T09:05:00Z'),
      reconnectCount: 2,
    });
    clock = at('2026-03-01T09:06:00Z');

    const { body } = await student.get(`/v1/sessions/${used.id}`);
    expect(body.data).toMatchObject({ resume_deadline: null, reconnects_remaining: 0, remaining_active_time: 600 });

    const ended = await student.end(used.id);
    expect(ended.body.data).toMatchObject({ resume_deadline: null, reconnects_remaining: 0 });
  });

  it("answers the participant token's expiry on initialize, read from the token itself", async () => {
    const student = await studentOf(test);
    clock = new Date();
    const before = Math.floor(Date.now() / 1000);

    const { status, body } = await student.initialize({ content_id: test.caseStudy.id });

    expect(status).toBe(200);
    const { exp } = decodeJwt(body.data.participant_token);
    expect(body.data.expires_at).toBe(new Date((exp ?? 0) * 1000).toISOString());
    expect((exp ?? 0) - before).toBeGreaterThanOrEqual(15 * 60 - 1);
    expect((exp ?? 0) - before).toBeLessThanOrEqual(15 * 60 + 5);
    expect(body.data.session).toMatchObject({ reconnects_remaining: 2, remaining_active_time: 600 });
    // Pending and resumable: the window runs from creation.
    const created = Date.parse(body.data.session.created_at);
    expect(Date.parse(body.data.session.resume_deadline)).toBe(created + 3600 * 1000);
  });
});

describe('the OpenAPI document', () => {
  it("describes this issue's fields and routes", async () => {
    const { body: doc } = await send(test.app, 'GET', '/openapi.json');
    const schemas = doc.components.schemas;
    for (const field of [
      'metadata',
      'resume_deadline',
      'reconnects_remaining',
      'remaining_active_time',
      'duration_seconds',
    ]) {
      expect(schemas.Session.properties, field).toHaveProperty(field);
    }
    expect(schemas.SessionWithMessages.properties).toHaveProperty('full_transcript');
    expect(schemas.SessionWithMessages.properties).toHaveProperty('word_count');
    expect(schemas.SessionMessage.properties).toHaveProperty('offset_seconds');
    expect(schemas.InitializeResponse.properties).toHaveProperty('expires_at');
    expect(schemas.InitializeRequest.properties).toHaveProperty('context');
    expect(schemas.InitializeRequest.properties).toHaveProperty('metadata');
    expect(JSON.stringify(schemas.Session.properties.end_reason)).toContain('pending_timeout');
    for (const path of ['/v1/usage', '/v1/voices', '/v1/admin/sessions'])
      expect(doc.paths[path]?.get, path).toBeDefined();
    expect(doc.paths['/v1/webhooks/livekit']?.post?.security ?? []).toEqual([]);
  });
});
