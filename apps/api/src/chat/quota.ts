/**
 * The study assistant's daily quota: answered turns per student and calendar
 * day (in CHAT_QUOTA_TIMEZONE). A turn is reserved by one atomic upsert that
 * refuses to count past the limit, so racing requests can never exceed it,
 * and refunded when the model fails to answer.
 */
import { chatUsage, type Database } from '@sp/db';
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Caller } from '../app-context.js';

export interface QuotaPolicy {
  /** Turns per day; null for unlimited. */
  limit: number | null;
  timeZone: string;
}

export type Reservation =
  | { granted: true; day: string; remaining: number | null }
  | { granted: false; remaining: number };

const today = (timeZone: string) => sql<string>`(now() at time zone ${timeZone})::date`;

export async function reserveChatTurn(db: Database, caller: Caller, policy: QuotaPolicy): Promise<Reservation> {
  if (policy.limit === 0) return { granted: false, remaining: 0 };
  const [row] = await db
    .insert(chatUsage)
    .values({ tenantId: caller.tenantId, userId: caller.userId, day: today(policy.timeZone), turns: 1 })
    .onConflictDoUpdate({
      target: [chatUsage.tenantId, chatUsage.userId, chatUsage.day],
      set: { turns: sql`${chatUsage.turns} + 1` },
      ...(policy.limit === null ? {} : { setWhere: sql`${chatUsage.turns} < ${policy.limit}` }),
    })
    .returning({ turns: chatUsage.turns, day: chatUsage.day });
  if (!row) return { granted: false, remaining: 0 };
  return { granted: true, day: row.day, remaining: policy.limit === null ? null : policy.limit - row.turns };
}

/** Gives back a reserved turn that was never answered. */
export async function refundChatTurn(db: Database, caller: Caller, day: string): Promise<void> {
  await db
    .update(chatUsage)
    .set({ turns: sql`${chatUsage.turns} - 1` })
    .where(
      and(
        eq(chatUsage.tenantId, caller.tenantId),
        eq(chatUsage.userId, caller.userId),
        eq(chatUsage.day, day),
        gt(chatUsage.turns, 0),
      ),
    );
}

/** Turns left today without reserving one; null when unlimited. */
export async function chatTurnsLeft(db: Database, caller: Caller, policy: QuotaPolicy): Promise<number | null> {
  if (policy.limit === null) return null;
  const [row] = await db
    .select({ turns: chatUsage.turns })
    .from(chatUsage)
    .where(
      and(
        eq(chatUsage.tenantId, caller.tenantId),
        eq(chatUsage.userId, caller.userId),
        eq(chatUsage.day, today(policy.timeZone)),
      ),
    );
  return Math.max(0, policy.limit - (row?.turns ?? 0));
}
