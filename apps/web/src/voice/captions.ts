/**
 * Live captions from the agent's transcription streams (topic
 * `lk.transcription`): each stream is one segment of one speaker, sent again
 * as it grows and marked final at the end. Captions show the latest text of
 * each segment, in time order, with consecutive segments of the same speaker
 * joined into one line.
 */
export interface TranscriptionSegment {
  /** The segment's id (`lk.segment_id`), or the stream id when absent. */
  id: string;
  /** Who spoke: the participant the transcription belongs to. */
  identity: string;
  text: string;
  final: boolean;
  /** When the segment began (ms). */
  timestamp: number;
}

export interface Caption {
  key: string;
  speaker: 'student' | 'patient';
  text: string;
  /** Still being spoken (some segment not final). */
  live: boolean;
}

/** The segment view of a stream as components-react's useTranscriptions hands it over. */
export function segmentOf(stream: {
  text: string;
  participantInfo: { identity: string };
  streamInfo: { id: string; timestamp: number; attributes?: Record<string, string> };
}): TranscriptionSegment {
  const attributes = stream.streamInfo.attributes ?? {};
  return {
    id: attributes['lk.segment_id'] ?? stream.streamInfo.id,
    identity: stream.participantInfo.identity,
    text: stream.text,
    final: attributes['lk.transcription_final'] === 'true',
    timestamp: stream.streamInfo.timestamp,
  };
}

/**
 * `studentIdentity`: the local participant; every other speaker is the patient.
 * `limit`: how many caption lines to keep (the newest).
 */
export function mergeCaptions(segments: TranscriptionSegment[], studentIdentity: string, limit = 50): Caption[] {
  // The latest version of each segment wins; a segment keeps the time it began.
  const latest = new Map<string, TranscriptionSegment>();
  for (const segment of segments) {
    const known = latest.get(segment.id);
    latest.set(segment.id, known ? { ...segment, timestamp: Math.min(known.timestamp, segment.timestamp) } : segment);
  }
  const ordered = [...latest.values()].filter((s) => s.text.trim() !== '').sort((a, b) => a.timestamp - b.timestamp);
  const captions: Caption[] = [];
  for (const segment of ordered) {
    const speaker = segment.identity === studentIdentity ? 'student' : 'patient';
    const last = captions.at(-1);
    if (last && last.speaker === speaker) {
      last.text = `${last.text} ${segment.text.trim()}`;
      last.live = last.live || !segment.final;
    } else {
      captions.push({ key: segment.id, speaker, text: segment.text.trim(), live: !segment.final });
    }
  }
  return captions.slice(-limit);
}
