/**
 * `pnpm eval:grading [--json]`: grades the labelled evaluation set
 * (packages/grading/evaluation) through the real path and prints how the
 * grader agrees with the labels, per case and overall: exact agreement,
 * lenient agreement (partially met counts as met), Cohen's kappa over the three
 * verdicts, and the correlation of the grader's score with the labels' score.
 *
 * The real path: an embedded PostgreSQL, migrated and seeded with the demo
 * cases; the API app; each interview a text-channel session of its own student
 * (POST /v1/sessions/initialize with channel "text", one POST .../messages per
 * student turn, answered by the offline patient), POST .../end, and the report
 * from GET .../report, graded by the real pg-boss consumer. The grader is the
 * one the environment configures: with OPENAI_API_KEY or OPENAI_BASE_URL set
 * (and GRADING_MODEL) the model grader, else the offline one. LiveKit is the
 * local wire double (a text session never calls it).
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createApp } from '../apps/api/src/app.js';
import { apiConfig, DEV_JWT_SECRET } from '../apps/api/src/config.js';
import type { Caller } from '../apps/api/src/http/app-context.js';
import { BackgroundWork } from '../apps/api/src/http/background-work.js';
import { liveKitRooms } from '../apps/api/src/http/livekit.js';
import { signDevToken } from '../apps/api/src/sign-in/dev-token.js';
import { benchDatabase } from '../bench/support.js';
import type { GradeReportView } from '../packages/core/src/index.js';
import {
  agreementByCase,
  agreementTable,
  evaluationSet,
  type GradedInterview,
  labelScore,
} from '../packages/grading/evaluation/index.js';
import { gradingConfig, startGradingConsumer } from '../packages/grading/src/index.js';
import { modelProvider } from '../packages/models/src/index.js';
import { liveKitSettings, startFakeLiveKit } from '../packages/testkit/src/index.js';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });

const pg = await benchDatabase('eval-grading');
const livekit = await startFakeLiveKit({ apiKey: 'eval-key', apiSecret: 'eval-secret-eval-secret-eval-secret' });
const config = apiConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  ...liveKitSettings(livekit),
});
const work = new BackgroundWork();
// No model for the patient: the offline patient answers, so the transcripts do not depend on an endpoint.
const app = createApp({ db: pg.handle.db, config, livekit: liveKitRooms(config), work });
const grading = gradingConfig({ ...process.env, GRADING_POLL_SECONDS: '0.5', GRADING_RETRY_DELAY_MS: '500' });
const provider = modelProvider(grading);
const consumer = await startGradingConsumer({
  db: pg.handle.db,
  sql: pg.handle.sql,
  config: grading,
  logger: pino({ level: 'silent' }),
  provider,
});

async function call(token: string, method: string, path: string, json?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(json !== undefined && { 'content-type': 'application/json' }) },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await res.text();
  if (res.status !== 200 && res.status !== 202)
    throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text;
}

async function gradeThroughTextChannel(index: number, caseId: string, student: string[]): Promise<GradeReportView> {
  const caller: Caller = { userId: `eval-student-${index}`, tenantId: pg.tenant.id, role: 'student' };
  const token = await signDevToken(caller, { secret: DEV_JWT_SECRET });
  const started = JSON.parse(
    await call(token, 'POST', '/v1/sessions/initialize', { content_id: caseId, channel: 'text' }),
  );
  const sessionId: string = started.data.session.id;
  for (const body of student) {
    await call(token, 'POST', `/v1/sessions/${sessionId}/messages`, { body });
    await work.idle();
  }
  await call(token, 'POST', `/v1/sessions/${sessionId}/end`);
  for (;;) {
    const answer = JSON.parse(
      await call(token, 'GET', `/v1/sessions/${sessionId}/report?wait_for_completion=true&timeout_seconds=60`),
    );
    const report = answer.data as GradeReportView;
    if (report.status === 'completed') return report;
    if (report.status === 'failed') throw new Error(`report of ${sessionId} failed: ${report.error}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

try {
  const graded: (GradedInterview & { report: GradeReportView })[] = [];
  for (const [index, interview] of evaluationSet.entries()) {
    const caseStudy = pg.caseStudies.find((c) => c.slug === interview.caseSlug);
    if (!caseStudy) throw new Error(`no seeded case ${interview.caseSlug}`);
    const report = await gradeThroughTextChannel(index, caseStudy.id, interview.student);
    graded.push({
      interview,
      rubric: caseStudy.rubric,
      verdicts: Object.fromEntries((report.items ?? []).map((i) => [i.item_id, i.verdict])),
      score: report.score ?? 0,
      report,
    });
  }
  const result = agreementByCase(graded);
  const grader = provider.configured ? `model grader (${provider.models.grading})` : 'offline grader';
  if (values.json) {
    console.log(
      JSON.stringify(
        {
          grader,
          overall: result.overall,
          byCase: Object.fromEntries(result.byCase),
          interviews: graded.map((g) => ({ id: g.interview.id, score: g.score, labels: labelScore(g) })),
        },
        null,
        2,
      ),
    );
  } else {
    console.log(`\nGrading evaluation: ${evaluationSet.length} labelled interviews, ${grader}\n`);
    console.log('| interview | grader score | labels score | items agreeing |');
    console.log('| --- | ---: | ---: | ---: |');
    for (const g of graded) {
      const ids = Object.keys(g.interview.labels);
      const agree = ids.filter((id) => g.verdicts[id] === g.interview.labels[id]!.verdict).length;
      console.log(`| ${g.interview.id} | ${g.score} | ${labelScore(g)} | ${agree}/${ids.length} |`);
    }
    console.log(`\n${agreementTable(result)}\n`);
  }
} finally {
  await consumer.stop(5_000);
  await livekit.close();
  await pg.stop();
}
