/**
 * The patient on the text channel: the same compiled persona the voice worker
 * plays, told that the consultation is typed, with the saved transcript (voice
 * and text turns alike) as the conversation so far.
 */
import { compilePersona, type PatientCase } from './compile-persona.js';
import type { PriorTurn } from './scripted-patient.js';

/** Said when the active time runs out, by voice or by text; fixed so the ending never depends on the model. */
export const PATIENT_GOODBYE_LINE = "I'm sorry, I really have to go now. Thank you for seeing me. Goodbye.";

export interface PatientMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

const TYPED =
  '## This consultation is typed\n' +
  'The student is typing to you in a chat window instead of talking. Reply as you would say it out loud: ' +
  'a few short sentences of plain text, nothing else.';

const NOT_YET_SPOKEN =
  'You have not said anything yet in this consultation: begin your first reply with your opening words above, ' +
  'in answer to what the student wrote.';

const LEAVING_SOON =
  'The consultation is nearly over: in this reply, mention once and naturally that you will have to leave soon.';

export function textPatientMessages(
  patient: PatientCase,
  history: PriorTurn[],
  studentText: string,
  options: { leavingSoon?: boolean } = {},
): PatientMessage[] {
  const notes = [TYPED];
  if (!history.some((turn) => turn.role === 'assistant')) notes.push(NOT_YET_SPOKEN);
  if (options.leavingSoon) notes.push(LEAVING_SOON);
  return [
    { role: 'system', content: `${compilePersona(patient)}\n\n${notes.join('\n\n')}` },
    ...history.map((turn) => ({ role: turn.role, content: turn.content })),
    { role: 'user', content: studentText },
  ];
}
