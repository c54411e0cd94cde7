/**
 * POST /v1/webhooks/livekit with events signed the way LiveKit signs them: a
 * token made with the server SDK and the API key pair, carrying the body's
 * SHA-256. Replayed, out of order, tampered, unsigned, for a stale room.
 */
import { createHash } from 'node:crypto';
import { livekitWebhookEvents, sessions } from '@sp/db';
import { insertCaseStudy, insertSession } from '@sp/dev-postgres/testing';
import { eq } from 'drizzle-orm';
import { AccessToken, ParticipantInfo, Room, WebhookEvent } from 'livekit-server-sdk';
import { describe, expect, it } from 'vitest';
import { participantIdentity } from '../src/http/livekit.js';
import { buildTestApp, gradingJobs, send, studentOf } from './support.js';

const test = await buildTestApp();
const rowOf = async (id: string) => (await test.db.db.select().from(sessions).where(eq(sessions.id, id)))[0];
const seconds = (date: Date) => BigInt(Math.floor(date.getTime() / 1000));
let counter = 0;

type Row = NonNullable<Awaited<ReturnType<typeof rowOf>>>;

function eventOf(
  name: 'participant_joined' | 'participant_left' | 'room_finished',
  session: Row,
  options: { at?: Date; joinedAt?: Date; roomName?: string; identity?: string } = {},
): string {
  const at = options.at ?? new Date();
  const event = new WebhookEvent({
    id: `EV_${Date.now()}_${counter++}`,
    createdAt: seconds(at),
    room: new Room({ name: options.roomName ?? session.roomName, sid: 'RM_test' }),
    ...(name !== 'room_finished' && {
      participant: new ParticipantInfo({
        identity: options.identity ?? participantIdentity({ userId: session.userId, sessionId: session.id }),
        joinedAt: seconds(options.joinedAt ?? at),
      }),
    }),
  });
  // The SDK's WebhookEvent constructor resets `event` after the init data; set it afterwards.
  event.event = name;
  return event.toJsonString();
}

/** What LiveKit puts in `Authorization`: a JWT of the key pair with the body's SHA-256 in `sha256`. */
async function signatureOf(body: string, key = test.config.LIVEKIT_API_KEY, secret = test.config.LIVEKIT_API_SECRET) {
  const token = new AccessToken(key, secret);
  token.sha256 = createHash('sha256').update(body).digest('base64');
  return token.toJwt();
}

async function post(body: string, authorization?: string) {
  return send(test.app, 'POST', '/v1/webhooks/livekit', {
    body,
    headers: { 'content-type': 'application/webhook+json', ...(authorization && { authorization }) },
  });
}

const deliver = async (body: string) => post(body, await signatureOf(body));

async function pendingSession(fields: Partial<typeof sessions.$inferInsert> = {}) {
  const cs = await insertCaseStudy(test.db.db, test.tenant.id);
  const student = await studentOf(test);
  return insertSession(test.db.db, {
    tenantId: test.tenant.id,
    userId: student.caller.userId,
    contentId: cs.id,
    ...fields,
  });
}

const storedEvents = async (id: string) =>
  test.db.db.select().from(livekitWebhookEvents).where(eq(livekitWebhookEvents.id, id));

describe('the signature', () => {
  it('answers 401 and changes nothing when it is missing, made with another secret, or the body was tampered with', async () => {
    const session = await pendingSession();
    const body = eventOf('participant_joined', session);
    const id = JSON.parse(body).id;
    const tampered = body.replace('participant_joined', 'participant_left');

    const answers = [
      await post(body),
      await post(body, await signatureOf(body, test.config.LIVEKIT_API_KEY, 'another-secret-another-secret-another')),
      await post(body, await signatureOf(body, 'another-key')),
      await post(tampered, await signatureOf(body)),
      await post(body, 'not-a-jwt'),
    ];

    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('UNAUTHORIZED');
    }
    expect(await storedEvents(id)).toEqual([]);
    expect(await rowOf(session.id)).toEqual(session);
  });

  it('needs no bearer token, and is in the OpenAPI document', async () => {
    const session = await pendingSession();
    const answer = await deliver(eventOf('participant_joined', session));
    expect(answer.status).toBe(200);
    const doc = await send(test.app, 'GET', '/openapi.json');
    expect(doc.body.paths['/v1/webhooks/livekit'].post.responses['401']).toBeDefined();
  });
});

describe('participant events for the student', () => {
  it('records contact once: a replayed event is a duplicate and changes nothing', async () => {
    const session = await pendingSession();
    const joinedAt = new Date(Date.now() - 30_000);
    const body = eventOf('participant_joined', session, { joinedAt });

    const first = await deliver(body);
    const afterFirst = await rowOf(session.id);
    const replay = await deliver(body);
    const again = await deliver(body);

    expect(first.body.data).toMatchObject({ event: 'participant_joined', duplicate: false, session_id: session.id });
    expect(afterFirst).toMatchObject({
      status: 'active',
      startTime: new Date(Math.floor(joinedAt.getTime() / 1000) * 1000),
    });
    expect(replay.body.data.duplicate).toBe(true);
    expect(again.body.data.duplicate).toBe(true);
    expect(await rowOf(session.id)).toEqual(afterFirst);
    expect(await storedEvents(first.body.data.event_id)).toHaveLength(1);
  });

  it('closes the segment a crashed worker left open at the moment the student left', async () => {
    const now = Date.now();
    const session = await pendingSession({
      status: 'active',
      startTime: new Date(now - 120_000),
      connectedSince: new Date(now - 60_000),
      segmentBase: 100,
      elapsedActiveTime: 120,
      lastActivity: new Date(now - 25_000),
    });
    const leftAt = new Date(now - 30_000);

    const answer = await deliver(eventOf('participant_left', session, { at: leftAt }));

    expect(answer.body.data.session_id).toBe(session.id);
    const row = await rowOf(session.id);
    expect(row?.connectedSince).toBeNull();
    expect(row?.lastDisconnectAt?.getTime()).toBe(Math.floor(leftAt.getTime() / 1000) * 1000);
    // 100 before the segment, plus the 30 s from its opening to the student's leaving (LiveKit's whole seconds).
    expect(row?.elapsedActiveTime).toBeGreaterThanOrEqual(129);
    expect(row?.elapsedActiveTime).toBeLessThanOrEqual(130);
    expect(row?.status).toBe('active');
  });

  it('takes the events in any order: a departure before its arrival still records both', async () => {
    const session = await pendingSession();
    const joinedAt = new Date(Date.now() - 50_000);
    const leftAt = new Date(Date.now() - 10_000);
    const joined = eventOf('participant_joined', session, { at: joinedAt, joinedAt });
    const left = eventOf('participant_left', session, { at: leftAt, joinedAt });

    await deliver(left);
    await deliver(joined);

    const row = await rowOf(session.id);
    expect(row).toMatchObject({ status: 'active', connectedSince: null });
    expect(row?.startTime?.getTime()).toBe(Math.floor(joinedAt.getTime() / 1000) * 1000);
    expect(row?.lastDisconnectAt?.getTime()).toBe(Math.floor(leftAt.getTime() / 1000) * 1000);
  });

  it("ignores the agent's comings and goings", async () => {
    const session = await pendingSession();
    const answer = await deliver(eventOf('participant_joined', session, { identity: 'agent-AJ_123' }));
    expect(answer.body.data.session_id).toBeNull();
    expect(await rowOf(session.id)).toEqual(session);
  });
});

describe('rooms', () => {
  it('changes nothing for a room the session has moved away from', async () => {
    const student = await studentOf(test);
    const first = await student.initialize({ content_id: test.caseStudy.id });
    const oldRoom = first.body.data.room_name as string;
    const id = first.body.data.session.id as string;
    await test.db.db.update(sessions).set({ startTime: new Date(), status: 'active' }).where(eq(sessions.id, id));
    await student.initialize({ content_id: test.caseStudy.id, session_id: id });
    const before = await rowOf(id);
    if (!before) throw new Error('no session');

    const left = await deliver(eventOf('participant_left', before, { roomName: oldRoom }));
    const finished = await deliver(eventOf('room_finished', before, { roomName: oldRoom }));

    expect(left.body.data.session_id).toBeNull();
    expect(finished.body.data.session_id).toBeNull();
    expect(await rowOf(id)).toEqual(before);
  });

  it('ends a session nobody joined when its room finishes: pending_timeout, not graded', async () => {
    const session = await pendingSession();

    const answer = await deliver(eventOf('room_finished', session));

    expect(answer.body.data.session_id).toBe(session.id);
    expect(await rowOf(session.id)).toMatchObject({
      status: 'ended',
      endReason: 'pending_timeout',
      gradingStatus: 'not_started',
    });
    expect(await gradingJobs(test.db, session.id)).toHaveLength(0);
  });

  it('closes a running segment when the room finishes, and leaves the session to be resumed', async () => {
    const now = Date.now();
    const session = await pendingSession({
      status: 'active',
      startTime: new Date(now - 20_000),
      connectedSince: new Date(now - 20_000),
      elapsedActiveTime: 10,
      lastActivity: new Date(now - 10_000),
    });

    await deliver(eventOf('room_finished', session, { at: new Date(now - 5_000) }));

    const row = await rowOf(session.id);
    expect(row).toMatchObject({ status: 'active', connectedSince: null });
    // Until the room finished (whole seconds), not until now.
    expect(row?.elapsedActiveTime).toBeGreaterThanOrEqual(14);
    expect(row?.elapsedActiveTime).toBeLessThanOrEqual(15);
  });
});
