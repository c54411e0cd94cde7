/**
 * The patient: the case study's persona as a LiveKit agent. Its instructions
 * come from @sp/persona (the same text the text channel uses); on a resume it
 * starts with the saved transcript so it picks up where the talk left off.
 */
import { llm, voice } from '@livekit/agents';
import type { CaseStudy, SessionMessage } from '@sp/db';
import { compilePersona } from '@sp/persona';

/** Asked of the model when the student comes back to a session that already has turns. */
export const RESUME_INSTRUCTIONS =
  'The student has just reconnected after the call dropped. Acknowledge it briefly in character ' +
  '(for example that the line went quiet) and continue the conversation from where it stopped.';

/** Spoken when the active time runs out (the same line on the text channel). */
export { PATIENT_GOODBYE_LINE as GOODBYE_LINE } from '@sp/persona';

/** Spoken once, shortly before the time runs out. */
export function leavingSoonLine(secondsLeft: number): string {
  const minutes = Math.round(secondsLeft / 60);
  const when = minutes >= 2 ? `in about ${minutes} minutes` : minutes === 1 ? 'in about a minute' : 'in a moment';
  return `Sorry, I should say, I'll have to leave ${when}.`;
}

/** The saved transcript as the model's chat history. */
export function transcriptContext(turns: Pick<SessionMessage, 'role' | 'content' | 'timestamp'>[]): llm.ChatContext {
  const chatCtx = llm.ChatContext.empty();
  for (const turn of turns) {
    chatCtx.addMessage({ role: turn.role, content: turn.content, createdAt: turn.timestamp.getTime() });
  }
  return chatCtx;
}

export class PatientAgent extends voice.Agent {
  readonly openingLine: string;

  /** `caseStudy.context` is the session's context from initialize, added after the case's own instructions. */
  constructor(
    caseStudy: Pick<CaseStudy, 'persona' | 'facts' | 'instructions'> & { context?: string | null },
    transcript: SessionMessage[] = [],
  ) {
    super({ instructions: compilePersona(caseStudy), chatCtx: transcriptContext(transcript) });
    this.openingLine = caseStudy.persona.openingLine;
  }
}
