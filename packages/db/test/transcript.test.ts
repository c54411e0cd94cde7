import { createTestDatabase, insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { describe, expect, it } from 'vitest';
import { appendTurn, loadTranscript, UnknownSessionError } from '../src/index.js';

const test = await createTestDatabase({ max: 12 });

async function newSession() {
  const tenant = await insertTenant(test.db);
  const cs = await insertCaseStudy(test.db, tenant.id);
  return insertSession(test.db, { tenantId: tenant.id, userId: 'student', contentId: cs.id, status: 'active' });
}

describe('appendTurn', () => {
  it('numbers turns 1, 2, 3 in the order they are stored, with role, content and metrics', async () => {
    const session = await newSession();

    await appendTurn(test.db, session.id, { role: 'assistant', content: 'Hello doctor', channel: 'voice' });
    await appendTurn(test.db, session.id, {
      role: 'user',
      content: 'What brings you in?',
      channel: 'voice',
      metrics: { end_of_utterance_delay_ms: 420 },
    });
    await appendTurn(test.db, session.id, {
      role: 'assistant',
      content: 'My chest',
      channel: 'voice',
      interrupted: true,
    });

    const turns = await loadTranscript(test.db, session.id);
    expect(turns.map((t) => [t.sequence, t.role, t.content, t.interrupted])).toEqual([
      [1, 'assistant', 'Hello doctor', false],
      [2, 'user', 'What brings you in?', false],
      [3, 'assistant', 'My chest', true],
    ]);
    expect(turns[1]?.metrics).toEqual({ end_of_utterance_delay_ms: 420 });
  });

  it('never gives two concurrent writers the same sequence and leaves no gap', async () => {
    const session = await newSession();

    const written = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        appendTurn(test.db, session.id, { role: i % 2 ? 'user' : 'assistant', content: `turn ${i}`, channel: 'text' }),
      ),
    );

    expect(written.map((t) => t.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const stored = await loadTranscript(test.db, session.id);
    expect(stored.map((t) => t.sequence)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(stored.map((t) => t.content)).size).toBe(40);
  });

  it('keeps each session on its own numbering when sessions are written at the same time', async () => {
    const [a, b] = [await newSession(), await newSession()];

    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        appendTurn(test.db, i % 2 ? a.id : b.id, { role: 'user', content: `q${i}`, channel: 'voice' }),
      ),
    );

    expect((await loadTranscript(test.db, a.id)).map((t) => t.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await loadTranscript(test.db, b.id)).map((t) => t.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('stores the given timestamp', async () => {
    const session = await newSession();
    const at = new Date('2025-03-01T10:00:00.000Z');
    const row = await appendTurn(test.db, session.id, { role: 'user', content: 'Hi', channel: 'text', timestamp: at });
    expect(row.timestamp.toISOString()).toBe(at.toISOString());
  });

  it('refuses a turn for a session that does not exist and stores nothing', async () => {
    const missing = '00000000-0000-4000-8000-00000000abcd';
    await expect(
      appendTurn(test.db, missing, { role: 'user', content: 'Hi', channel: 'voice' }),
    ).rejects.toBeInstanceOf(UnknownSessionError);
    expect(await loadTranscript(test.db, missing)).toEqual([]);
  });
});
