/**
 * The text channel's queries. Before the patient is asked, a turn reads the
 * session with its patient and transcript (prepared once), then claims the
 * turn on the clock together with the student's words (@sp/db's
 * `claimTextTurn`: the session clock writes the clock columns, for text as for
 * voice). After it, the reply is stored and the turn released in one transaction.
 */
import type { Fact, Persona } from '@sp/core';
import {
  appendTurn,
  caseStudyVersions,
  type Database,
  preparedFor,
  releaseTextTurn,
  renewTextTurn,
  type Session,
  sessionMessages,
  sessions,
} from '@sp/db';
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
      // The patient of the version the session pinned, never the case as edited since.
      persona: sql<Persona>`${caseStudyVersions.content}->'persona'`,
      facts: sql<Fact[]>`${caseStudyVersions.content}->'facts'`,
      instructions: sql<string>`${caseStudyVersions.content}->>'instructions'`,
      context: sessions.context,
      transcript: sql<PriorTurn[]>`(select coalesce(json_agg(json_build_object('role', m.role, 'content', m.content)
        order by m.sequence), '[]') from ${sessionMessages} m where m.session_id = ${sessions.id})`,
      version: sql<string>`${sessions}.xmin::text`,
    })
    .from(sessions)
    .innerJoin(caseStudyVersions, eq(caseStudyVersions.id, sessions.caseStudyVersionId))
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

/**
 * The lease of a reply being written: `text_turn_started_at` is moved to the database's now
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
  ) {
    this.#current = startedAt;
    this.#timer = setInterval(
      () => {
        this.#renewing = this.#renewing.then(() => this.#renew()).catch(() => {});
      },
      (leaseSeconds * 1000) / 3,
    );
    this.#timer.unref();
  }

  async #renew() {
    const renewed = await renewTextTurn(this.db, this.sessionId, this.#current);
    if (renewed) this.#current = renewed;
  }

  /** Stops renewing; resolves with the lease's value now, which storing or releasing the turn matches on. */
  async stop(): Promise<Date> {
    clearInterval(this.#timer);
    await this.#renewing;
    return this.#current;
  }
}
