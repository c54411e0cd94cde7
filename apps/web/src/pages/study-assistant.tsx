/**
 * The study assistant: quick actions, answers streamed word by word, the
 * conversation continued, blocked messages explained (daily quota, the lock
 * while a case session is live, prompt injection) and the questions left today.
 */
import {
  type BlockReason,
  blockedEventSchema,
  type ChatAction,
  chatDoneEventSchema,
  chatMetaEventSchema,
} from '@sp/core';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/client';
import { postEventStream } from '../api/event-stream';
import { refusalOf } from '../session/refusals';

interface ChatTurn {
  id: number;
  role: 'student' | 'assistant' | 'notice';
  text: string;
  pending?: boolean;
  reason?: BlockReason;
}

const quickActions: { action: ChatAction; label: string }[] = [
  { action: 'explain-concept', label: 'Explain a concept' },
  { action: 'submission-guide', label: 'Help with a submission' },
  { action: 'advisor', label: 'Study advice' },
];

const blockedTitles: Record<BlockReason, string> = {
  quota_exceeded: 'Daily limit reached',
  assessment_lock: 'Paused during your case session',
  prompt_injection: 'Message not answered',
};

let nextId = 1;

export function StudyAssistantPage() {
  const [turns, setTurns] = useState<ChatTurn[]>([]);
  const [draft, setDraft] = useState('');
  const [action, setAction] = useState<ChatAction>('free-chat');
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [remaining, setRemaining] = useState<number | null | undefined>(undefined);
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const ask = async (event: FormEvent) => {
    event.preventDefault();
    const body = draft.trim();
    if (!body || sending) return;
    setDraft('');
    setFailure(null);
    setSending(true);
    const replyId = nextId++;
    setTurns((t) => [
      ...t,
      { id: nextId++, role: 'student', text: body },
      { id: replyId, role: 'assistant', text: '', pending: true },
    ]);
    const updateReply = (update: (turn: ChatTurn) => ChatTurn) =>
      setTurns((t) => t.map((turn) => (turn.id === replyId ? update(turn) : turn)));
    try {
      await postEventStream(
        '/v1/mind/chat',
        { body, action, context: { channel: 'student', ...(conversationId && { conversation_id: conversationId }) } },
        (frame) => {
          if (frame.event === 'meta') setConversationId(chatMetaEventSchema.parse(frame.data).conversation_id);
          else if (frame.event === 'delta') {
            const { text } = frame.data as { text: string };
            updateReply((turn) => ({ ...turn, text: turn.text + text }));
          } else if (frame.event === 'message') {
            const blocked = blockedEventSchema.parse(frame.data);
            updateReply((turn) => ({ ...turn, role: 'notice', text: blocked.text, reason: blocked.reason }));
          } else if (frame.event === 'error') {
            setFailure('The assistant stopped before finishing its answer. Ask again in a moment.');
          } else if (frame.event === 'done') {
            const done = chatDoneEventSchema.parse(frame.data);
            setConversationId(done.conversation_id);
            setRemaining(done.remaining);
            // A guardrail-corrected answer replaces what streamed.
            updateReply((turn) => ({ ...turn, text: done.revised ?? turn.text, pending: false }));
          }
        },
      );
    } catch (error) {
      setTurns((t) => t.filter((turn) => turn.id !== replyId));
      setDraft(body);
      setFailure(error instanceof ApiError ? refusalOf(error).text : String(error));
    } finally {
      setSending(false);
      setAction('free-chat');
    }
  };

  return (
    <section className="assistant">
      <h1>Study assistant</h1>
      <p className="muted" data-testid="quota">
        {remaining === undefined
          ? 'Ask about anything you are studying.'
          : remaining === null
            ? 'No daily limit on questions.'
            : `${remaining} question${remaining === 1 ? '' : 's'} left today.`}
      </p>
      <ol className="chat" aria-label="Conversation">
        {turns.map((turn) => (
          <li key={turn.id} className={`chat-${turn.role}`} aria-busy={turn.pending || undefined}>
            {turn.role === 'notice' && turn.reason ? (
              <div className="notice" role="alert">
                <strong>{blockedTitles[turn.reason]}.</strong> {turn.text}
              </div>
            ) : (
              <>
                <span className="speaker">{turn.role === 'student' ? 'You' : 'Assistant'}</span>
                <span className="content">{turn.text || (turn.pending ? '…' : '')}</span>
              </>
            )}
          </li>
        ))}
      </ol>
      {failure && <p role="alert">{failure}</p>}
      <form className="composer" onSubmit={ask}>
        <fieldset className="quick-actions">
          <legend>Quick actions</legend>
          {quickActions.map((quick) => (
            <button
              key={quick.action}
              type="button"
              aria-pressed={action === quick.action}
              onClick={() => setAction(action === quick.action ? 'free-chat' : quick.action)}
            >
              {quick.label}
            </button>
          ))}
        </fieldset>
        <label htmlFor="question">Your question</label>
        <textarea id="question" rows={2} maxLength={8000} value={draft} onChange={(e) => setDraft(e.target.value)} />
        <div className="actions">
          <button type="submit" className="primary" disabled={sending || !draft.trim()}>
            {sending ? 'Answering…' : 'Ask'}
          </button>
          {conversationId && (
            <button
              type="button"
              disabled={sending}
              onClick={() => {
                setConversationId(null);
                setTurns([]);
              }}
            >
              New conversation
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
