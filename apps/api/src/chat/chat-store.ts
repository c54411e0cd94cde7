/** The study assistant's queries: conversations, their messages, the assessment lock. */
import { sessionInProgress } from '@sp/core';
import { chatConversations, chatMessages, type Database, insertInSequence, nextSequenceSql, sessions } from '@sp/db';
import { and, desc, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Caller } from '../app-context.js';
import { isUuid } from '../sessions/session-store.js';

/** How many earlier messages the model sees. */
const HISTORY_MESSAGES = 20;

export interface ChatTurnText {
  role: 'user' | 'assistant';
  content: string;
}

/**
 * The caller's own conversation with its latest answered messages (a
 * corrected answer as corrected; blocked turns left out), or null when there
 * is no such conversation of theirs.
 */
export async function ownConversation(
  db: Database,
  caller: Caller,
  conversationId: string,
): Promise<{ id: string; history: ChatTurnText[] } | null> {
  if (!isUuid(conversationId)) return null;
  const rows = await db
    .select({
      id: chatConversations.id,
      role: chatMessages.role,
      content: sql<string | null>`coalesce(${chatMessages.revised}, ${chatMessages.content})`,
    })
    .from(chatConversations)
    .leftJoin(
      chatMessages,
      and(eq(chatMessages.conversationId, chatConversations.id), isNull(chatMessages.blockedReason)),
    )
    .where(
      and(
        eq(chatConversations.id, conversationId),
        eq(chatConversations.tenantId, caller.tenantId),
        eq(chatConversations.userId, caller.userId),
      ),
    )
    .orderBy(desc(chatMessages.sequence))
    .limit(HISTORY_MESSAGES);
  if (rows.length === 0) return null;
  const history = rows
    .filter((row): row is typeof row & ChatTurnText => row.role !== null && row.content !== null)
    .reverse()
    .map(({ role, content }) => ({ role, content }));
  return { id: conversationId, history };
}

export async function createConversation(
  db: Database,
  caller: Caller,
  conversation: { id: string; channel?: string },
): Promise<void> {
  await db
    .insert(chatConversations)
    .values({
      id: conversation.id,
      tenantId: caller.tenantId,
      userId: caller.userId,
      channel: conversation.channel ?? null,
    })
    .onConflictDoNothing();
}

export type NewChatMessage = Omit<typeof chatMessages.$inferInsert, 'id' | 'conversationId' | 'sequence' | 'createdAt'>;

/** Stores a message under the conversation's next sequence number (see @sp/db sequence.ts). */
export async function appendChatMessage(db: Database, conversationId: string, message: NewChatMessage) {
  const row = await insertInSequence(() =>
    db
      .insert(chatMessages)
      .values({
        ...message,
        conversationId,
        sequence: nextSequenceSql(chatMessages, chatMessages.sequence, chatMessages.conversationId, conversationId),
      })
      .onConflictDoNothing({ target: [chatMessages.conversationId, chatMessages.sequence] })
      .returning(),
  );
  await db.update(chatConversations).set({ updatedAt: sql`now()` }).where(eq(chatConversations.id, conversationId));
  return row;
}

/** Is the caller in the middle of a case session? Then the assistant will not help (assessment lock). */
export async function assessmentInProgress(
  db: Database,
  caller: Caller,
  now: Date,
  reconnectWindowSeconds: number,
): Promise<boolean> {
  const open = await db
    .select()
    .from(sessions)
    .where(
      and(eq(sessions.tenantId, caller.tenantId), eq(sessions.userId, caller.userId), ne(sessions.status, 'ended')),
    );
  return open.some((session) => sessionInProgress(session, now, reconnectWindowSeconds));
}
