/**
 * The student's LiveKit participant, as the API mints it and the worker admits it: the token's
 * attributes (signed with the LiveKit API secret, so the worker can trust them) name the session.
 * One schema for the writer (apps/api http/livekit.ts) and the reader (apps/agent session-guard.ts).
 */
import { z } from 'zod';

export const participantAttributesSchema = z.object({
  tenant_id: z.uuid(),
  user_id: z.string().min(1),
  session_id: z.uuid(),
  case_study_id: z.uuid(),
});
export type ParticipantAttributes = z.infer<typeof participantAttributesSchema>;

/**
 * The agent dispatch's metadata: which session the job was dispatched for. The worker admits on the
 * signed attributes alone; it reads this only to name the session in the job's logs from the start.
 */
export const dispatchMetadataSchema = z.object({ session_id: z.uuid(), tenant_id: z.uuid() });
export type DispatchMetadata = z.infer<typeof dispatchMetadataSchema>;

/** The dispatch metadata in a job's metadata text, or null when it is absent or not ours. */
export function dispatchMetadataOf(text: string | undefined): DispatchMetadata | null {
  try {
    const parsed = dispatchMetadataSchema.safeParse(JSON.parse(text ?? ''));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
