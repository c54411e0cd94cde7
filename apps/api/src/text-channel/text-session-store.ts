/**
 * The text channel's queries. Before the patient is asked, a turn costs two
 * statements: the session with its patient and transcript (prepared once),
 * then the turn's claim on the clock together with the student's words (one
 * plain-SQL statement on the postgres.js client). After it, the reply is
 * stored and the turn released in one transaction.
 */
import type { PatientEngine } from '@sp/core';
import { appendTurn, caseStudies, type Database, preparedFor, type Session, sessionMessages, sessions } from '@sp/db';
import type { PatientCase, PriorTurn } from '@sp/persona';
import { and, eq, sql } from 'drizzle-orm';
import type { Caller } from '../http/app-context.js';
import { isUuid } from '../http/params.js';

export interface TextSession {
  session: Session;
  patient: PatientCase;
  /** The turns so far, in order. */
  transcript: PriorTurn[];
  /** The row version (Postgres `xmin`) the turn is judged on. */
  version: string;
}

/** The session with its patient and transcript, prepared once per database handle. */
const sessionRead = preparedFor((db) =>
  db
    .select({
      session: sessions,
      persona: caseStudies.persona,
      facts: caseStudies.facts,
      instructions: caseStudies.instructions,
      context: sessions.context,
      transcript: sql<PriorTurn[]>`(select coalesce(json_agg(json_build_object('role', m.role, 'content', m.content)
        order by m.sequence), '[]') from ${sessionMessages} m where m.session_id = ${sessions.id})`,
      version: sql<string>`${sessions}.xmin::text`,
    })
    .from(sessions)
    .innerJoin(caseStudies, eq(caseStudies.id, sessions.contentId))
    .where(
      and(
        eq(sessions.id, sql.placeholder('id')),
        eq(sessions.tenantId, sql.placeholder('tenantId')),
        eq(sessions.userId, sql.placeholder('userId')),
      ),
    )
    .prepare('text_session_read'),
);

/** The caller's own session with the case study's patient and the transcript so far. */
export async function ownSessionWithPatient(
  db: Database,
  caller: Caller,
  sessionId: string,
): Promise<TextSession | null> {
  if (!isUuid(sessionId)) return null;
  const [row] = await sessionRead(db).execute({ id: sessionId, tenantId: caller.tenantId, userId: caller.userId });
  if (!row) return null;
  const { session, transcript, version, ...patient } = row;
  return { session, patient, transcript, version };
}

/**
 * Counts a text turn on the clock, marks its reply as under way and stores the
 * student's words, in one statement, only if the row is still the version the
 * turn was judged on (`xmin` changes with every update): a racing turn,
 * heartbeat or ending makes it write nothing, and the caller judges again.
 * The student is not in the voice room (a stale segment is closed here), and
 * the reconnect window restarts now. Returns null when nothing was claimed,
 * else the question's sequence number.
 */
export async function claimTextTurn(
  db: Database,
  judged: TextSession,
  turn: { at: Date; elapsed: number; engine: PatientEngine; question: string },
): Promise<{ sequence: number } | null> {
  const { session } = judged;
  // drizzle turns off the client's own date handling: timestamps travel as ISO text.
  const at = turn.at.toISOString();
  const engine = turn.engine === 'scripted' || session.patientEngine === 'scripted' ? 'scripted' : 'model';
  const [row] = await db.$client<{ claimed: boolean; sequence: number | null }[]>`
    with claimed as (
      update sessions set channel = 'text', status = 'active', start_time = coalesce(start_time, ${at}::timestamptz),
        elapsed_active_time = ${turn.elapsed}, connected_since = null, last_activity = ${at}::timestamptz,
        last_disconnect_at = ${at}::timestamptz, text_turn_started_at = ${at}::timestamptz, patient_engine = ${engine},
        updated_at = now()
      where id = ${session.id} and status <> 'ended' and xmin = ${judged.version}::xid
      returning id
    ),
    question as (
      insert into session_messages (session_id, sequence, role, content, channel)
      select id, (select coalesce(max(sequence), 0) + 1 from session_messages where session_id = ${session.id}),
        'user', ${turn.question}, 'text'
      from claimed
      on conflict (session_id, sequence) do nothing
      returning sequence
    )
    select exists (select 1 from claimed) as claimed, (select sequence from question) as sequence
  `;
  if (!row?.claimed) return null;
  if (row.sequence !== null) return { sequence: row.sequence };
  // A voice turn flushed late took the number: store the question under the next one.
  const stored = await appendTurn(db, session.id, { role: 'user', content: turn.question, channel: 'text' });
  return { sequence: stored.sequence };
}

/**
 * Stores the patient's reply and frees the session for the next text turn, in
 * one transaction: the next turn can only be claimed once the release is
 * visible, and the reply becomes visible in the same commit, so it always
 * takes the number right after its question. (Released first, a racing turn
 * could store its question before this reply.)
 */
export async function storeReply(
  db: Database,
  sessionId: string,
  reply: { content: string; interrupted: boolean },
  turnStartedAt: Date,
): Promise<number> {
  return db.transaction(async (tx) => {
    const stored = await appendTurn(tx, sessionId, { role: 'assistant', channel: 'text', ...reply });
    await releaseTextTurn(tx, sessionId, turnStartedAt);
    return stored.sequence;
  });
}

/** The turn is over without a reply: the next text turn may come. */
export async function releaseTextTurn(db: Pick<Database, 'update'>, sessionId: string, startedAt: Date): Promise<void> {
  await db
    .update(sessions)
    .set({ textTurnStartedAt: null })
    .where(and(eq(sessions.id, sessionId), eq(sessions.textTurnStartedAt, startedAt)));
}

/**
 * The lease of a reply being written: `text_turn_started_at` is moved to now
 * every third of the lease while the reply streams, so the session stays busy
 * exactly as long as this process is alive to finish it. A crash stops the
 * renewals, and the next turn is taken once the lease runs out.
 */
export class ReplyLease {
  #current: Date;
  #renewing: Promise<unknown> = Promise.resolve();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly db: Database,
    private readonly sessionId: string,
    startedAt: Date,
    leaseSeconds: number,
    now: () => Date,
  ) {
    this.#current = startedAt;
    this.#timer = setInterval(
      () => {
        this.#renewing = this.#renewing.then(() => this.#renew(now())).catch(() => {});
      },
      (leaseSeconds * 1000) / 3,
    );
    this.#timer.unref();
  }

  async #renew(at: Date) {
    const [renewed] = await this.db
      .update(sessions)
      .set({ textTurnStartedAt: at })
      .where(and(eq(sessions.id, this.sessionId), eq(sessions.textTurnStartedAt, this.#current)))
      .returning({ id: sessions.id });
    if (renewed) this.#current = at;
  }

  /** Stops renewing; resolves with the lease's value now, which storing or releasing the turn matches on. */
  async stop(): Promise<Date> {
    clearInterval(this.#timer);
    await this.#renewing;
    return this.#current;
  }
}
