/**
 * The patient is dispatched by name into every room a session is given.
 * The fake LiveKit server keeps the real server's rules: a room's dispatches
 * are fixed when it is created, a join token's roomConfig counts only when the
 * join creates the room, and with auto-create off (infra/livekit.yaml) a join
 * never creates one. So the dispatch must come with the room the API creates.
 */
import { sessions } from '@sp/db';
import { RoomRefused } from '@sp/testkit';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildTestApp, studentOf } from './support.js';

const test = await buildTestApp({ env: { MAX_RECONNECTS: '3', RECONNECT_WINDOW_SECONDS: '3600' } });
test.livekit.setAutoCreate(false);
const AGENT = test.config.AGENT_NAME;

/** A JWT's claims, read without verifying (the fake verifies on join). */
function payloadOf(jwt: string) {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString());
}

/** What LiveKit would hand a worker registered under AGENT_NAME for this room, after the student joins. */
async function joinAndCollectJobs(body: { data: { room_name: string; participant_token: string } }) {
  const joined = await test.livekit.join(body.data.participant_token);
  expect(joined.created).toBe(false);
  return test.livekit.dispatchesOf(AGENT, body.data.room_name);
}

describe('agent dispatch', () => {
  it('dispatches AGENT_NAME exactly once into the room of every initialize and every resume', async () => {
    const student = await studentOf(test);
    const first = await student.initialize({ content_id: test.caseStudy.id });
    expect(first.status).toBe(200);
    const sessionId: string = first.body.data.session.id;
    const rooms = [first.body.data.room_name as string];

    const jobs = await joinAndCollectJobs(first.body);
    expect(jobs).toHaveLength(1);
    expect(JSON.parse(jobs[0]?.metadata ?? '{}')).toEqual({ session_id: sessionId, tenant_id: test.tenant.id });

    for (let resume = 1; resume <= 2; resume++) {
      const again = await student.initialize({ content_id: test.caseStudy.id, session_id: sessionId });
      expect(again.status).toBe(200);
      expect(again.body.data.is_resume).toBe(true);
      rooms.push(again.body.data.room_name);
      const [row] = await test.db.db.select().from(sessions).where(eq(sessions.id, sessionId));
      expect(row?.roomName).toBe(again.body.data.room_name);

      const resumed = await joinAndCollectJobs(again.body);
      expect(resumed).toHaveLength(1);
      expect(JSON.parse(resumed[0]?.metadata ?? '{}').session_id).toBe(sessionId);
    }
    // One dispatch per room the session was given, none anywhere else.
    expect(test.livekit.dispatchesOf(AGENT).filter((d) => rooms.includes(d.room))).toHaveLength(rooms.length);
    expect(new Set(rooms).size).toBe(rooms.length);
  });

  it("does not rely on the join token's roomConfig, which LiveKit ignores for a room that exists", async () => {
    const student = await studentOf(test);
    const { body } = await student.initialize({ content_id: test.caseStudy.id });

    const [dispatch] = test.livekit.dispatchesOf(AGENT, body.data.room_name);
    expect(dispatch?.source).toBe('create_room');
    const token = payloadOf(body.data.participant_token);
    expect(token.roomConfig).toBeUndefined();
  });

  it('lets no late client re-create a closed room (auto-create is off): the old token is refused', async () => {
    const student = await studentOf(test);
    const first = await student.initialize({ content_id: test.caseStudy.id });
    const resumed = await student.initialize({ content_id: test.caseStudy.id, session_id: first.body.data.session.id });
    expect(resumed.status).toBe(200);
    expect(test.livekit.rooms.has(first.body.data.room_name)).toBe(false);

    const late = await test.livekit.join(first.body.data.participant_token).catch((error: unknown) => error);

    expect(late).toBeInstanceOf(RoomRefused);
    expect(test.livekit.rooms.has(first.body.data.room_name)).toBe(false);
    expect(test.livekit.dispatchesOf(AGENT, first.body.data.room_name)).toHaveLength(1);
  });

  it('keeps an unjoined room open as long as its join token is valid, so a join never finds it gone', async () => {
    const student = await studentOf(test);
    const { body } = await student.initialize({ content_id: test.caseStudy.id });

    const token = payloadOf(body.data.participant_token);
    const room = test.livekit.rooms.get(body.data.room_name);
    expect(room?.emptyTimeout).toBeGreaterThanOrEqual(token.exp - token.nbf);
  });
});
