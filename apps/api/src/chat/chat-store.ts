/**
 * The study assistant's queries. A turn costs two statements: one before the
 * model is asked (the student's open case sessions for the assessment lock,
 * the conversation's history and the quota reservation, together) and one
 * after (the conversation and the turn's messages, together), each written as
 * the plain SQL it is on the postgres.js client under drizzle.
 */
import type { SessionClock, TurnRole } from '@sp/core';
import { type ChatMessage, type Database, uniqueViolation } from '@sp/db';
import type { Caller } from '../http/app-context.js';
import { isUuid } from '../http/params.js';

/** How many earlier messages the model sees. */
const HISTORY_MESSAGES = 20;

export interface ChatTurnText {
  role: TurnRole;
  content: string;
}

export interface TurnOpening {
  /** The caller's case sessions that have not ended, for the assessment lock. */
  openSessions: (SessionClock & { roomOpenedAt: Date })[];
  /** The named conversation exists and is the caller's. */
  conversationFound: boolean;
  /** Its id, when found (for a client-chosen id, the UUID behind it). */
  conversationUuid: string | null;
  /** Its latest answered messages, oldest first (a corrected answer as corrected; blocked turns left out). */
  history: ChatTurnText[];
  /** The turn reserved on today's quota (its count after this turn), or null when none was reserved. */
  reserved: { day: string; turns: number } | null;
  /** Turns answered today, this one not included. */
  usedToday: number;
}

interface OpeningRow extends Record<string, unknown> {
  open_sessions: Record<string, string | number | null>[];
  conversation_found: boolean;
  conversation_uuid: string | null;
  history: ChatTurnText[];
  reserved_turns: number | null;
  reserved_day: string | null;
  used_today: number;
}

/**
 * Everything a turn needs to know before the model is asked, in one statement.
 * With `reserve`, the turn is counted on today's quota unless that would pass
 * `limit` (the caller refunds it if the turn is then refused).
 */
export async function openChatTurn(
  db: Database,
  caller: Caller,
  options: {
    conversationId: string | null;
    /** A client-chosen id (not a UUID), looked up in the caller's own namespace. */
    clientId: string | null;
    reserve: boolean;
    limit: number | null;
    timeZone: string;
  },
): Promise<TurnOpening> {
  const { tenantId, userId } = caller;
  const pg = db.$client;
  const today = pg`(now() at time zone ${options.timeZone})::date`;
  const [row] = await pg<OpeningRow[]>`
    with reserved as (
      insert into chat_usage (tenant_id, user_id, day, turns)
      select ${tenantId}, ${userId}, ${today}, 1 where ${options.reserve}
      on conflict (tenant_id, user_id, day) do update set turns = chat_usage.turns + 1
        where ${options.limit}::int is null or chat_usage.turns < ${options.limit}::int
      returning turns, day::text
    ),
    own_conversation as (
      select id from chat_conversations
      where tenant_id = ${tenantId} and user_id = ${userId}
        and (id = ${options.conversationId}::uuid or client_id = ${options.clientId}::text)
    )
    select
      (select coalesce(json_agg(json_build_object(
          'status', status, 'endReason', end_reason, 'elapsedActiveTime', elapsed_active_time,
          'durationLimit', duration_limit, 'reconnectCount', reconnect_count, 'connectedSince', connected_since,
          'segmentBase', segment_base, 'lastActivity', last_activity, 'lastDisconnectAt', last_disconnect_at,
          'createdAt', created_at, 'startTime', start_time, 'roomOpenedAt', room_opened_at)), '[]')
        from sessions where tenant_id = ${tenantId} and user_id = ${userId} and status <> 'ended') as open_sessions,
      exists (select 1 from own_conversation) as conversation_found,
      (select id from own_conversation) as conversation_uuid,
      (select coalesce(json_agg(json_build_object('role', role, 'content', content) order by sequence), '[]')
        from (select m.sequence, m.role, coalesce(m.revised, m.content) as content
              from chat_messages m join own_conversation c on c.id = m.conversation_id
              where m.blocked_reason is null
              order by m.sequence desc limit ${HISTORY_MESSAGES}) latest) as history,
      (select turns from reserved) as reserved_turns,
      (select day from reserved) as reserved_day,
      coalesce((select turns from chat_usage
                where tenant_id = ${tenantId} and user_id = ${userId} and day = ${today}), 0) as used_today
  `;
  if (!row) throw new Error('the chat turn opening returned no row');
  return {
    openSessions: row.open_sessions.map(sessionClock),
    conversationFound: row.conversation_found,
    conversationUuid: row.conversation_uuid,
    history: row.history,
    reserved:
      row.reserved_turns !== null && row.reserved_day !== null
        ? { day: row.reserved_day, turns: row.reserved_turns }
        : null,
    usedToday: row.used_today,
  };
}

const timestamp = (value: string | number | null | undefined) => (value ? new Date(value) : null);

function sessionClock(row: Record<string, string | number | null>): SessionClock & { roomOpenedAt: Date } {
  return {
    status: row.status as SessionClock['status'],
    endReason: row.endReason as SessionClock['endReason'],
    elapsedActiveTime: Number(row.elapsedActiveTime),
    durationLimit: Number(row.durationLimit),
    reconnectCount: Number(row.reconnectCount),
    connectedSince: timestamp(row.connectedSince),
    segmentBase: Number(row.segmentBase),
    lastActivity: timestamp(row.lastActivity),
    lastDisconnectAt: timestamp(row.lastDisconnectAt),
    createdAt: timestamp(row.createdAt) ?? new Date(0),
    startTime: timestamp(row.startTime),
    roomOpenedAt: timestamp(row.roomOpenedAt) ?? new Date(0),
  };
}

export type NewChatMessage = Pick<ChatMessage, 'role' | 'content' | 'action'> &
  Partial<Pick<ChatMessage, 'confidence' | 'blockedReason' | 'revised' | 'page'>>;

/**
 * Stores a turn's messages under the conversation's next sequence numbers, in
 * one statement that also creates the conversation (or marks it updated). A
 * racing turn of the same conversation that took those numbers first makes
 * the whole statement fail, so nothing is half-stored, and it is tried again.
 */
export async function storeChatMessages(
  db: Database,
  caller: Caller,
  created: { id: string; channel: string | null; clientId: string | null },
  messages: NewChatMessage[],
): Promise<number[]> {
  let conversation = created;
  const rows = messages.map((m, i) => ({
    ord: i + 1,
    role: m.role,
    content: m.content,
    action: m.action,
    confidence: m.confidence ?? null,
    blocked_reason: m.blockedReason ?? null,
    revised: m.revised ?? null,
    page: m.page ?? null,
  }));
  for (;;) {
    try {
      const stored = await db.$client<{ sequence: number }[]>`
        with conversation as (
          insert into chat_conversations (id, tenant_id, user_id, channel, client_id)
          values (${conversation.id}, ${caller.tenantId}, ${caller.userId}, ${conversation.channel}, ${conversation.clientId})
          on conflict (id) do update set updated_at = now()
            where chat_conversations.tenant_id = excluded.tenant_id and chat_conversations.user_id = excluded.user_id
          returning id
        ),
        last as (select coalesce(max(sequence), 0) as sequence from chat_messages where conversation_id = ${conversation.id})
        insert into chat_messages (conversation_id, sequence, role, content, action, confidence, blocked_reason, revised, page)
        select conversation.id, last.sequence + m.ord, m.role, m.content, m.action, m.confidence, m.blocked_reason, m.revised, m.page
        from conversation, last,
          jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as m(ord int, role text, content text, action text,
            confidence float8, blocked_reason text, revised text, page jsonb)
        returning sequence
      `;
      if (stored.length !== messages.length) throw new Error(`conversation ${conversation.id} is not the caller's`);
      return stored.map((r) => r.sequence).sort((a, b) => a - b);
    } catch (error) {
      const violated = uniqueViolation(error);
      // A racing first turn created the client-chosen conversation first: continue that one.
      if (violated === 'chat_conversations_client_id_key' && conversation.clientId) {
        const [existing] = await db.$client<{ id: string }[]>`
          select id from chat_conversations
          where tenant_id = ${caller.tenantId} and user_id = ${caller.userId} and client_id = ${conversation.clientId}`;
        if (!existing) throw error;
        conversation = { ...conversation, id: existing.id };
        continue;
      }
      if (violated !== 'chat_messages_conversation_sequence_key') throw error;
    }
  }
}

/** Gives back a reserved turn that was not answered. */
export async function refundChatTurn(db: Database, caller: Caller, day: string): Promise<void> {
  await db.$client`
    update chat_usage set turns = turns - 1
    where tenant_id = ${caller.tenantId} and user_id = ${caller.userId} and day = ${day}::date and turns > 0
  `;
}

export interface ConversationSummaryRow {
  id: string;
  channel: string | null;
  message_count: number;
  created_at: Date;
  updated_at: Date;
}

/** The caller's conversations, most recently updated first, a page at a time. */
export async function listConversations(db: Database, caller: Caller, skip: number, limit: number) {
  const rows = await db.$client<(ConversationSummaryRow & { total: number })[]>`
    select coalesce(c.client_id, c.id::text) as id, c.channel, c.created_at, c.updated_at,
      (select count(*)::int from chat_messages m where m.conversation_id = c.id) as message_count,
      count(*) over ()::int as total
    from chat_conversations c
    where c.tenant_id = ${caller.tenantId} and c.user_id = ${caller.userId}
    order by c.updated_at desc, c.id
    offset ${skip} limit ${limit}
  `;
  const total = rows[0]?.total ?? (skip > 0 ? await countConversations(db, caller) : 0);
  return { rows, total };
}

async function countConversations(db: Database, caller: Caller): Promise<number> {
  const [row] = await db.$client<{ n: number }[]>`
    select count(*)::int as n from chat_conversations where tenant_id = ${caller.tenantId} and user_id = ${caller.userId}`;
  return row?.n ?? 0;
}

export interface ConversationMessageRow {
  sequence: number;
  role: TurnRole;
  content: string;
  action: string;
  blocked_reason: string | null;
  created_at: Date;
}

/** One of the caller's conversations with a page of its messages, newest first; null when it is not theirs. */
export async function readConversation(db: Database, caller: Caller, id: string, skip: number, limit: number) {
  const uuid = isUuid(id) ? id : null;
  const [conversation] = await db.$client<(ConversationSummaryRow & { uuid: string })[]>`
    select c.id as uuid, coalesce(c.client_id, c.id::text) as id, c.channel, c.created_at, c.updated_at,
      (select count(*)::int from chat_messages m where m.conversation_id = c.id) as message_count
    from chat_conversations c
    where c.tenant_id = ${caller.tenantId} and c.user_id = ${caller.userId}
      and (c.id = ${uuid}::uuid or c.client_id = ${uuid ? null : id}::text)
  `;
  if (!conversation) return null;
  const messages = await db.$client<ConversationMessageRow[]>`
    select sequence, role, coalesce(revised, content) as content, action, blocked_reason, created_at
    from chat_messages where conversation_id = ${conversation.uuid}::uuid
    order by sequence desc offset ${skip} limit ${limit}
  `;
  return { conversation, messages };
}
