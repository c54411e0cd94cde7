/**
 * The closed sets the domain names, one tuple per concept: the database schema's CHECKs
 * (packages/db/src/schema.ts), the contracts' `z.enum`s and the apps' unions all come from these.
 * Session statuses and end reasons live with their rules (session-rules.ts), the patient engines
 * with the stream contract (contracts/streams.ts), verdicts, graders and report statuses with the
 * report contract (contracts/report.ts).
 */

/** Who a token speaks for. */
export const userRoles = ['student', 'instructor', 'admin'] as const;
export type UserRole = (typeof userRoles)[number];

/** Who said a turn: `user` is the student, `assistant` the AI (patient or study assistant). */
export const turnRoles = ['user', 'assistant'] as const;
export type TurnRole = (typeof turnRoles)[number];

/** How a session is held, and how a turn was said: in the voice room, or typed. */
export const sessionChannels = ['voice', 'text'] as const;
export type SessionChannel = (typeof sessionChannels)[number];

/** A session's grading, as the session row tracks it (`not_started` until it ends graded). */
export const gradingStatuses = ['not_started', 'pending', 'running', 'completed', 'failed'] as const;
export type GradingStatus = (typeof gradingStatuses)[number];
