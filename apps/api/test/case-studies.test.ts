import { insertCaseStudy, insertTenant } from '@sp/dev-postgres/testing';
import { describe, expect, it } from 'vitest';
import { buildTestApp, send, studentOf, tokenFor } from './support.js';

const test = await buildTestApp();
const unpublished = await insertCaseStudy(test.db.db, test.tenant.id, { published: false });
const otherTenant = await insertTenant(test.db.db);
const foreign = await insertCaseStudy(test.db.db, otherTenant.id);

describe('GET /v1/case-studies', () => {
  it("lists the tenant's published cases to a student without rubric or facts", async () => {
    const student = await studentOf(test);

    const { status, body } = await student.get('/v1/case-studies');

    expect(status).toBe(200);
    expect(body.data.map((c: { id: string }) => c.id)).toEqual([test.caseStudy.id]);
    const [view] = body.data;
    expect(view).toMatchObject({
      id: test.caseStudy.id,
      title: test.caseStudy.title,
      duration_limit: 600,
      max_attempts: 3,
      patient: { name: test.caseStudy.persona.name },
    });
    const text = JSON.stringify(view);
    expect(view).not.toHaveProperty('rubric');
    expect(view).not.toHaveProperty('facts');
    expect(view).not.toHaveProperty('instructions');
    for (const fact of test.caseStudy.facts) expect(text).not.toContain(fact.content);
    for (const item of test.caseStudy.rubric) expect(text).not.toContain(item.criteria);
  });

  it('shows instructors and admins the persona, facts (hidden ones too) and rubric', async () => {
    for (const role of ['instructor', 'admin'] as const) {
      const token = await tokenFor({ userId: role, tenantId: test.tenant.id, role });

      const { body } = await send(test.app, 'GET', `/v1/case-studies/${test.caseStudy.id}`, { token });

      expect(body.data.rubric.map((r: { id: string }) => r.id)).toEqual(test.caseStudy.rubric.map((r) => r.id));
      expect(body.data.facts).toHaveLength(test.caseStudy.facts.length);
      const hidden = test.caseStudy.facts.filter((f) => f.disclosure === 'when_asked');
      expect(hidden.length).toBeGreaterThan(0);
      expect(body.data.facts.filter((f: { disclosure: string }) => f.disclosure === 'when_asked')).toHaveLength(
        hidden.length,
      );
      expect(body.data.persona.opening_line).toBe(test.caseStudy.persona.openingLine);
    }
  });

  it("answers 404 NOT_FOUND for an unpublished case or another tenant's case", async () => {
    const student = await studentOf(test);
    const admin = await tokenFor({ userId: 'ada', tenantId: test.tenant.id, role: 'admin' });
    for (const id of [unpublished.id, foreign.id, 'not-an-id']) {
      expect((await student.get(`/v1/case-studies/${id}`)).status, id).toBe(404);
      expect((await send(test.app, 'GET', `/v1/case-studies/${id}`, { token: admin })).status, id).toBe(404);
    }
  });

  it('answers one case study to a student in the student view', async () => {
    const student = await studentOf(test);

    const { status, body } = await student.get(`/v1/case-studies/${test.caseStudy.id}`);

    expect(status).toBe(200);
    expect(body.data.id).toBe(test.caseStudy.id);
    expect(body.data).not.toHaveProperty('rubric');
  });
});
