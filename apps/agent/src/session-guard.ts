/**
 * Who may the patient talk to? The student's token attributes must name a
 * session of theirs, in their tenant, for this case, still running, and in
 * this very room (each resume opens a new one). Anything else: refuse, and
 * the job writes nothing.
 */
import { participantAttributesSchema, remainingTime } from '@sp/core';
import { type CaseStudy, type Database, pinnedCaseStudy, type Session, sessions } from '@sp/db';
import { eq } from 'drizzle-orm';
import type { Student } from './student-room.js';

export type Admission =
  | { admitted: true; session: Session; caseStudy: CaseStudy }
  | { admitted: false; reason: string };

const refuse = (reason: string): Admission => ({ admitted: false, reason });

export async function admitStudent(db: Database, student: Student, roomName: string): Promise<Admission> {
  const parsed = participantAttributesSchema.safeParse(student.attributes);
  if (!parsed.success) {
    return refuse(`participant attributes are missing or malformed: ${parsed.error.issues[0]?.path.join('.')}`);
  }
  const claims = parsed.data;
  const [session] = await db.select().from(sessions).where(eq(sessions.id, claims.session_id));
  if (!session) return refuse('no such session');
  if (session.tenantId !== claims.tenant_id) return refuse('session belongs to another tenant');
  if (session.userId !== claims.user_id) return refuse('session belongs to another user');
  if (session.contentId !== claims.case_study_id) return refuse('session is for another case study');
  if (session.status === 'ended') return refuse(`session has ended (${session.endReason})`);
  if (session.roomName !== roomName) return refuse("room is not the session's current room");
  if (session.channel === 'text') return refuse('session continues by text; a resume brings it back to voice');
  if (remainingTime(session, new Date()) <= 0) return refuse('session has no active time left');
  // The case as the session's pinned version has it: an author's edit since changes nothing here.
  const caseStudy = await pinnedCaseStudy(db, session);
  if (!caseStudy) return refuse('case study not found');
  return { admitted: true, session, caseStudy };
}
