/**
 * Case authoring on real PostgreSQL: drafts, publish and versions, the 422 field paths, versions pinned
 * by sessions across an edit and a regrade, preview sessions, import/export of every demo case, and
 * who may do any of it (staff of the tenant only).
 */
import { type CaseStudyContentInput, caseStudyContentSchema } from '@sp/core';
import { pinnedCaseStudy, sessions } from '@sp/db';
import { seedCaseStudies } from '@sp/db/seed-cases';
import { insertTenant } from '@sp/dev-postgres/testing';
import { loadGradingInput } from '@sp/grading';
import { collectEventStream, type StreamFrame } from '@sp/testkit';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildTestApp, send, studentOf, tokenFor } from './support.js';

const test = await buildTestApp();
const instructor = await tokenFor({ userId: 'ines', tenantId: test.tenant.id, role: 'instructor' });
const admin = await tokenFor({ userId: 'ada', tenantId: test.tenant.id, role: 'admin' });
const other = await insertTenant(test.db.db);
const outsider = await tokenFor({ userId: 'otto', tenantId: other.id, role: 'instructor' });

const [template] = seedCaseStudies;
if (!template) throw new Error('no demo case');
let slugs = 0;
/** A demo case under a fresh slug, as an author would send it. */
const draftOf = (overrides: Partial<CaseStudyContentInput> = {}): CaseStudyContentInput => ({
  ...structuredClone(template),
  slug: `authored-${++slugs}-${Math.random().toString(16).slice(2, 6)}`,
  ...overrides,
});

const call = (method: string, path: string, token = instructor, json?: unknown) =>
  send(test.app, method, `/v1/authoring/cases${path}`, { token, json });

async function created(content = draftOf(), token = instructor) {
  const { status, body } = await call('POST', '', token, content);
  expect(status).toBe(201);
  return body.data as { id: string; status: string; content: CaseStudyContentInput };
}

async function say(token: string, sessionId: string, words: string): Promise<string> {
  const res = await test.app.request(`/v1/sessions/${sessionId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ body: words }),
  });
  expect(res.status).toBe(200);
  const frames: StreamFrame[] = await collectEventStream(res);
  return frames
    .filter((f) => f.event === 'delta')
    .map((f) => (f.data as { text: string }).text)
    .join('');
}

describe('authoring a case: draft, update, publish, unpublish, archive', () => {
  it('creates a draft students cannot see, returns every field, and publishes it as version 1', async () => {
    const content = draftOf();
    const draft = await created(content);
    expect(draft.status).toBe('draft');
    const got = await call('GET', `/${draft.id}`);
    expect(got.status).toBe(200);
    expect(got.body.data.content).toEqual(
      (({ published: _, ...rest }) => rest)(caseStudyContentSchema.parse({ ...content, published: false })),
    );
    expect(got.body.data.content.facts.some((f: { disclosure: string }) => f.disclosure === 'when_asked')).toBe(true);
    expect(got.body.data.content.rubric[0]).toHaveProperty('weight');

    const student = await studentOf(test);
    expect((await student.initialize({ content_id: draft.id })).status).toBe(404);
    expect((await student.get(`/v1/case-studies/${draft.id}`)).status).toBe(404);

    const published = await call('POST', `/${draft.id}/publish`);
    expect(published.status).toBe(200);
    expect(published.body.data).toMatchObject({ status: 'published', latest_version: 1, unpublished_changes: false });
    expect((await student.get(`/v1/case-studies/${draft.id}`)).status).toBe(200);
  });

  it('keeps students on the published version while the working copy is edited, until the next publish', async () => {
    const draft = await created();
    await call('POST', `/${draft.id}/publish`);
    const edited = { ...draft.content, title: 'Edited title', durationLimit: 900 };
    const saved = await call('PUT', `/${draft.id}`, instructor, edited);
    expect(saved.status).toBe(200);
    expect(saved.body.data).toMatchObject({ status: 'published', unpublished_changes: true, latest_version: 1 });

    const student = await studentOf(test);
    expect((await student.get(`/v1/case-studies/${draft.id}`)).body.data.title).toBe(template.title);

    const republished = await call('POST', `/${draft.id}/publish`, admin);
    expect(republished.body.data).toMatchObject({ latest_version: 2, unpublished_changes: false });
    expect((await student.get(`/v1/case-studies/${draft.id}`)).body.data).toMatchObject({
      title: 'Edited title',
      duration_limit: 900,
    });
    // Publishing what is already the latest version makes no new one.
    expect((await call('POST', `/${draft.id}/publish`)).body.data.latest_version).toBe(2);

    const versions = await call('GET', `/${draft.id}/versions`);
    expect(versions.body.data.map((v: { number: number }) => v.number)).toEqual([2, 1]);
    expect(versions.body.data[0].created_by).toBe('ada');
    const diff = await call('GET', `/${draft.id}/diff?from=1&to=2`);
    expect(diff.status).toBe(200);
    expect(diff.body.data.changes).toEqual([
      { path: 'title', before: template.title, after: 'Edited title' },
      { path: 'durationLimit', before: 600, after: 900 },
    ]);
    const one = await call('GET', `/${draft.id}/versions/1`);
    expect(one.body.data.content.title).toBe(template.title);
    expect((await call('GET', `/${draft.id}/versions/7`)).status).toBe(404);
  });

  it('shows a rubric weight change by its field path between a version and the working copy', async () => {
    const draft = await created();
    await call('POST', `/${draft.id}/publish`);
    const rubric = structuredClone(draft.content.rubric);
    rubric[3]!.weight = 42;
    await call('PUT', `/${draft.id}`, instructor, { ...draft.content, rubric });
    const diff = await call('GET', `/${draft.id}/diff?from=1`);
    expect(diff.body.data).toMatchObject({ from: 1, to: 'draft' });
    expect(diff.body.data.changes).toEqual([
      { path: 'rubric[3].weight', before: draft.content.rubric[3]!.weight, after: 42 },
    ]);
  });

  it('unpublishes and archives: students lose the case, the list filters by status, an archived case refuses changes', async () => {
    const draft = await created();
    await call('POST', `/${draft.id}/publish`);
    const student = await studentOf(test);
    expect((await call('POST', `/${draft.id}/unpublish`)).body.data.status).toBe('unpublished');
    expect((await student.get(`/v1/case-studies/${draft.id}`)).status).toBe(404);
    const unpublished = await call('GET', '?status=unpublished');
    expect(unpublished.body.data.map((c: { id: string }) => c.id)).toContain(draft.id);

    expect((await call('POST', `/${draft.id}/archive`)).body.data.status).toBe('archived');
    const refused = await call('POST', `/${draft.id}/publish`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('CASE_ARCHIVED');
    expect((await call('PUT', `/${draft.id}`, instructor, draft.content)).status).toBe(409);
    expect((await call('GET', '?status=archived')).body.data.map((c: { id: string }) => c.id)).toEqual([draft.id]);
  });
});

describe('invalid content', () => {
  it('answers 422 naming every bad field by its path, and writes nothing', async () => {
    const bad = draftOf();
    const rubric = structuredClone(bad.rubric);
    rubric[3]!.weight = -2;
    const facts = structuredClone(bad.facts);
    (facts[1] as { disclosure: string }).disclosure = 'sometimes';
    const before = await test.db.sql`select count(*)::int as n from case_studies`;
    const { status, body } = await call('POST', '', instructor, {
      ...bad,
      rubric,
      facts,
      persona: { ...bad.persona, age: 'old' },
    });
    expect(status).toBe(422);
    expect(body.success).toBe(false);
    expect(body.error.code).toBe('VALIDATION_ERROR');
    const fields = body.error.details.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['rubric[3].weight', 'facts[1].disclosure', 'persona.age']));
    expect(body.error.details.fields[0]).toHaveProperty('in', 'body');
    expect(await test.db.sql`select count(*)::int as n from case_studies`).toEqual(before);
  });

  it('refuses duplicate rubric ids, a voice the provider lacks and a slug another case uses', async () => {
    const bad = draftOf();
    const rubric = structuredClone(bad.rubric);
    rubric[2]!.id = rubric[0]!.id;
    const dup = await call('POST', '', instructor, { ...bad, rubric });
    expect(dup.status).toBe(422);
    expect(dup.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['rubric[2].id']);

    const voice = await call('POST', '', instructor, { ...bad, persona: { ...bad.persona, voice: 'nobody' } });
    expect(voice.status).toBe(422);
    expect(voice.body.error.details.fields[0].field).toBe('persona.voice');

    const first = await created();
    const taken = await call('POST', '', instructor, draftOf({ slug: first.content.slug }));
    expect(taken.status).toBe(422);
    expect(taken.body.error.details.fields[0].field).toBe('slug');
  });
});

describe('versions pinned by sessions', () => {
  it("answers a live session from the version it started on after an edit is published, and grades (and regrades) that version's rubric", async () => {
    const draft = await created();
    await call('POST', `/${draft.id}/publish`);
    const student = await studentOf(test);
    const started = await student.initialize({ content_id: draft.id, channel: 'text' });
    expect(started.status).toBe(200);
    const sessionId = started.body.data.session.id as string;

    const facts = structuredClone(draft.content.facts);
    const allergies = facts.find((f) => f.id === 'allergies')!;
    const original = allergies.content;
    allergies.content = 'Penicillin gives me a terrible rash.';
    const rubric = structuredClone(draft.content.rubric);
    rubric[0]!.title = 'Renamed after the session started';
    await call('PUT', `/${draft.id}`, instructor, { ...draft.content, facts, rubric });
    expect((await call('POST', `/${draft.id}/publish`)).body.data.latest_version).toBe(2);

    // The text patient answers from version 1.
    expect(await say(student.token, sessionId, 'Do you have any allergies?')).toBe(original);
    // The worker reads the same pinned version.
    const [row] = await test.db.db.select().from(sessions).where(eq(sessions.id, sessionId));
    const pinned = await pinnedCaseStudy(test.db.db, row!);
    expect(pinned?.facts.find((f) => f.id === 'allergies')?.content).toBe(original);
    // The grader (first grading and any regrade read loadGradingInput) sees version 1's rubric.
    const input = await loadGradingInput(test.db.db, sessionId);
    expect(input?.rubric[0]?.title).toBe(draft.content.rubric[0]!.title);

    // A new session pins version 2.
    await student.end(sessionId);
    const next = await student.initialize({ content_id: draft.id, channel: 'text' });
    expect(await say(student.token, next.body.data.session.id, 'Do you have any allergies?')).toBe(allergies.content);
  });
});

describe('preview', () => {
  it('lets an instructor try a draft by typing: no attempt counted, flagged preview, kept out of usage and reports', async () => {
    const draft = await created(draftOf({ maxAttempts: 1 }));
    const facts = structuredClone(draft.content.facts);
    facts.find((f) => f.id === 'allergies')!.content = 'Only to cats.';
    await call('PUT', `/${draft.id}`, instructor, { ...draft.content, facts });

    const first = await call('POST', `/${draft.id}/preview`);
    expect(first.status).toBe(201);
    const sessionId = first.body.data.session_id as string;
    expect(await say(instructor, sessionId, 'Do you have any allergies?')).toBe('Only to cats.');
    // Trying again ends the live preview and starts another; no attempt is used up (max_attempts is 1).
    const second = await call('POST', `/${draft.id}/preview`);
    expect(second.status).toBe(201);
    const rows = await test.db
      .sql`select preview, attempt_number, status from sessions where content_id = ${draft.id} order by created_at`;
    expect(rows).toEqual([
      { preview: true, attempt_number: 0, status: 'ended' },
      { preview: true, attempt_number: 0, status: 'pending' },
    ]);
    // Previews are not a version students see.
    expect((await call('GET', `/${draft.id}/versions`)).body.data).toEqual([]);
    const usage = await send(test.app, 'GET', `/v1/usage?content_id=${draft.id}`, { token: instructor });
    expect(usage.status).toBe(200);
    expect(JSON.stringify(usage.body.data)).not.toContain(draft.id);
    const reports = await send(test.app, 'GET', `/v1/admin/reports?content_id=${draft.id}`, { token: instructor });
    expect(reports.body.total).toBe(0);

    // Once published, a student still has their one attempt.
    await call('POST', `/${draft.id}/publish`);
    const student = await studentOf(test);
    expect((await student.initialize({ content_id: draft.id, channel: 'text' })).status).toBe(200);
  });
});

describe('import and export', () => {
  it.each(seedCaseStudies.map((c) => [c.slug, c] as const))(
    'round-trips the demo case %s: import it, export it, get the same document',
    async (_slug, demo) => {
      const tenant = await insertTenant(test.db.db);
      const token = await tokenFor({ userId: 'importer', tenantId: tenant.id, role: 'admin' });
      const imported = await send(test.app, 'POST', '/v1/authoring/cases/import', { token, json: demo });
      expect(imported.status).toBe(200);
      expect(imported.body.data).toMatchObject({ created: true, published_version: 1 });
      const id = imported.body.data.case.id;
      const exported = await send(test.app, 'GET', `/v1/authoring/cases/${id}/export`, { token });
      expect(exported.status).toBe(200);
      expect(exported.body).toEqual(caseStudyContentSchema.parse(demo));
      const all = await send(test.app, 'GET', '/v1/authoring/cases/export', { token });
      expect(all.body.cases).toEqual([caseStudyContentSchema.parse(demo)]);
      // Importing the same document again changes nothing: still version 1.
      const again = await send(test.app, 'POST', '/v1/authoring/cases/import', { token, json: demo });
      expect(again.body.data).toMatchObject({ created: false, published_version: 1 });
    },
  );

  it('reports every problem of an import with its path, and imports nothing', async () => {
    const doc = draftOf();
    const { status, body } = await call('POST', '/import', instructor, {
      ...doc,
      title: '',
      rubric: [{ ...doc.rubric[0], weight: 'heavy' }],
      facts: [],
    });
    expect(status).toBe(422);
    expect(body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(
      ['facts', 'rubric[0].weight', 'title'].sort(),
    );
    expect(await test.db.sql`select 1 from case_studies where slug = ${doc.slug}`).toHaveLength(0);
  });
});

describe('who may author', () => {
  it("shows another tenant's instructor nothing and lets them change nothing", async () => {
    const mine = await created();
    await call('POST', `/${mine.id}/publish`);
    expect((await call('GET', '', outsider)).body.data).toEqual([]);
    for (const [method, path, json] of [
      ['GET', `/${mine.id}`],
      ['PUT', `/${mine.id}`, mine.content],
      ['POST', `/${mine.id}/publish`],
      ['POST', `/${mine.id}/unpublish`],
      ['POST', `/${mine.id}/archive`],
      ['GET', `/${mine.id}/versions`],
      ['GET', `/${mine.id}/versions/1`],
      ['GET', `/${mine.id}/diff?from=1`],
      ['GET', `/${mine.id}/export`],
      ['POST', `/${mine.id}/preview`],
    ] as const) {
      expect((await call(method, path, outsider, json)).status, `${method} ${path}`).toBe(404);
    }
    expect((await call('GET', '/export', outsider)).body.cases).toEqual([]);
    const after = await call('GET', `/${mine.id}`);
    expect(after.body.data).toMatchObject({ status: 'published', latest_version: 1, unpublished_changes: false });
  });

  it('answers 403 to a student on every authoring route', async () => {
    const mine = await created();
    const student = await studentOf(test);
    const routes = [
      ['GET', ''],
      ['POST', '', draftOf()],
      ['GET', '/export'],
      ['POST', '/import', draftOf()],
      ['GET', `/${mine.id}`],
      ['PUT', `/${mine.id}`, mine.content],
      ['POST', `/${mine.id}/publish`],
      ['POST', `/${mine.id}/unpublish`],
      ['POST', `/${mine.id}/archive`],
      ['GET', `/${mine.id}/versions`],
      ['GET', `/${mine.id}/versions/1`],
      ['GET', `/${mine.id}/diff?from=1`],
      ['GET', `/${mine.id}/export`],
      ['POST', `/${mine.id}/preview`],
    ] as const;
    const { paths } = (await send(test.app, 'GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(paths)
      .filter(([path]) => path.startsWith('/v1/authoring/'))
      .flatMap(([, methods]) => Object.keys(methods));
    // Every authoring operation of the OpenAPI document is in the list above.
    expect(operations).toHaveLength(routes.length);
    for (const [method, path, json] of routes) {
      const { status, body } = await call(method, path, student.token, json);
      expect(status, `${method} ${path}`).toBe(403);
      expect(body.error.code).toBe('FORBIDDEN');
    }
    expect((await call('GET', `/${mine.id}`)).body.data.status).toBe('draft');
  });
});
