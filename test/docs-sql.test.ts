/**
 * The SQL examples of the docs run, as printed, against a database where a session was held on the
 * text channel through the API; and what they show is what the docs promise (channel on every
 * turn, active time in whole milliseconds).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildTestApp, send, studentOf } from '../apps/api/test/support.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** Every statement of every ```sql block, with the file it came from. */
const examples = docs.flatMap((doc) =>
  [...readFileSync(join(root, doc), 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].flatMap(([, block]) =>
    (block ?? '')
      .split(';')
      .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
      .filter(Boolean)
      .map((statement) => ({ doc, statement })),
  ),
);

const test = await buildTestApp();
const student = await studentOf(test);
const started = await student.initialize({ content_id: test.caseStudy.id, channel: 'text' });
const sessionId: string = started.body.data.session.id;
for (const body of ['Hello, what brings you in today?', 'When did it start?']) {
  const turn = await send(test.app, 'POST', `/v1/sessions/${sessionId}/messages`, {
    token: student.token,
    json: { body },
  });
  if (turn.status !== 200) throw new Error(`a text turn answered ${turn.status}`);
}
await test.work.idle();
await student.end(sessionId);

/** The docs write '…' for an id: a case's where the column is a content id, else the session's. */
const withIds = (statement: string) =>
  statement.replace(/(\w+)\s*=\s*'…'/g, (_, column: string) =>
    column.includes('content') ? `${column} = '${test.caseStudy.id}'` : `${column} = '${sessionId}'`,
  );

describe('the SQL examples of the docs', () => {
  it('are there to run', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  it.each(examples.map((example) => [example.doc, example.statement.split('\n')[0], example.statement]))(
    '%s: %s',
    async (_, __, statement) => {
      await expect(test.db.sql.unsafe(withIds(statement ?? ''))).resolves.toBeDefined();
    },
  );

  it("show a session's turns in order, each with its channel", async () => {
    const rows = await test.db.sql.unsafe(
      withIds("select sequence, role, channel from session_transcripts where session_id = '…' order by sequence"),
    );
    expect(rows.map((row) => [row.sequence, row.role, row.channel])).toEqual([
      [1, 'user', 'text'],
      [2, 'assistant', 'text'],
      [3, 'user', 'text'],
      [4, 'assistant', 'text'],
    ]);
    const read = await student.get(`/v1/sessions/${sessionId}`);
    expect(read.body.data.messages.map((message: { channel: string }) => message.channel)).toEqual([
      'text',
      'text',
      'text',
      'text',
    ]);
  });

  it('keep active time in whole milliseconds, as the API reports it', async () => {
    const [row] = await test.db.sql`select elapsed_active_time from sessions where id = ${sessionId}`;
    const stored = Number(row?.elapsed_active_time);
    expect(Math.round(stored * 1000) / 1000).toBe(stored);
    const read = await student.get(`/v1/sessions/${sessionId}`);
    expect(read.body.data.elapsed_active_time).toBe(stored);
  });
});
