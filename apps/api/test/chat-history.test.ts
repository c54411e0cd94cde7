/**
 * The study assistant's history: a student lists their own conversations
 * (most recently updated first, paged) and reads one with its messages (newest
 * first, paged); another student's or tenant's conversation does not exist.
 */
import { randomUUID } from 'node:crypto';
import { insertTenant } from '@sp/dev-postgres/testing';
import { describe, expect, it } from 'vitest';
import { buildTestApp, send, studentOf, tokenFor } from './support.js';

const test = await buildTestApp();
const student = await studentOf(test);
const classmate = await studentOf(test);
const other = await insertTenant(test.db.db);
const outsider = await tokenFor({ userId: student.caller.userId, tenantId: other.id, role: 'student' });

/** A stored conversation of `messages` alternating user and assistant, updated at `minutesAgo`. */
async function conversation(owner: { tenantId: string; userId: string }, messages: number, minutesAgo: number) {
  const id = randomUUID();
  await test.db.sql`
    insert into chat_conversations (id, tenant_id, user_id, channel, updated_at)
    values (${id}, ${owner.tenantId}, ${owner.userId}, 'student', now() - make_interval(mins => ${minutesAgo}))`;
  for (let sequence = 1; sequence <= messages; sequence++) {
    const role = sequence % 2 ? 'user' : 'assistant';
    await test.db.sql`
      insert into chat_messages (conversation_id, sequence, role, content, action, revised)
      values (${id}, ${sequence}, ${role}, ${`message ${sequence}`}, 'explain-concept',
              ${sequence === 4 ? 'message 4, corrected' : null})`;
  }
  return id;
}

const older = await conversation(student.caller, 2, 30);
const newest = await conversation(student.caller, 5, 1);
const middle = await conversation(student.caller, 3, 10);
const theirs = await conversation(classmate.caller, 2, 0);
const elsewhere = await conversation({ tenantId: other.id, userId: student.caller.userId }, 2, 0);

describe('the study-assistant history', () => {
  it("lists the student's own conversations, most recently updated first, with their message counts", async () => {
    const { status, body } = await student.get('/v1/mind/conversations');
    expect(status).toBe(200);
    expect(body.data.map((c: { id: string }) => c.id)).toEqual([newest, middle, older]);
    expect(body.data.map((c: { message_count: number }) => c.message_count)).toEqual([5, 3, 2]);
    expect(body).toMatchObject({ total: 3, page: 1, page_size: 20, total_pages: 1 });
  });

  it('pages the list with skip and limit', async () => {
    const { body } = await student.get('/v1/mind/conversations?skip=1&limit=1');
    expect(body.data.map((c: { id: string }) => c.id)).toEqual([middle]);
    expect(body).toMatchObject({ total: 3, page: 2, page_size: 1, total_pages: 3 });
    const past = await student.get('/v1/mind/conversations?skip=5&limit=1');
    expect(past.body).toMatchObject({ data: [], total: 3 });
  });

  it('reads one conversation with its messages newest first, as the student last saw them, paged', async () => {
    const first = await student.get(`/v1/mind/conversations/${newest}?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.data.messages.map((m: { sequence: number }) => m.sequence)).toEqual([5, 4]);
    expect(first.body.data.messages[1]).toMatchObject({ role: 'assistant', content: 'message 4, corrected' });
    expect(first.body).toMatchObject({ total: 5, page: 1, total_pages: 3, data: { id: newest, message_count: 5 } });
    const last = await student.get(`/v1/mind/conversations/${newest}?skip=4&limit=2`);
    expect(last.body.data.messages.map((m: { sequence: number }) => m.sequence)).toEqual([1]);
  });

  it("answers 404 for another student's or tenant's conversation, and for an id that is no conversation", async () => {
    for (const id of [theirs, elsewhere, randomUUID(), 'demo-1']) {
      const { status, body } = await student.get(`/v1/mind/conversations/${id}`);
      expect(status, id).toBe(404);
      expect(body.error.code).toBe('NOT_FOUND');
    }
    // The same user id in another tenant is another student: it sees only that tenant's conversation.
    const list = await send(test.app, 'GET', '/v1/mind/conversations', { token: outsider });
    expect(list.body.data.map((c: { id: string }) => c.id)).toEqual([elsewhere]);
  });

  it('refuses a bad page before any query', async () => {
    for (const query of ['limit=0', 'limit=101', 'skip=-1']) {
      const { status, body } = await student.get(`/v1/mind/conversations?${query}`);
      expect(status, query).toBe(422);
      expect(body.error.code).toBe('VALIDATION_ERROR');
    }
  });
});
