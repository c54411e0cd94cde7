import { describe, expect, it } from 'vitest';
import { mergeCaptions, segmentOf, type TranscriptionSegment } from '../src/voice/captions';
import { afterDisconnect, clockRuns, microphoneProblem, patientStateWords } from '../src/voice/room-state';

const seg = (id: string, identity: string, text: string, timestamp: number, final = true): TranscriptionSegment => ({
  id,
  identity,
  text,
  final,
  timestamp,
});

describe('live captions', () => {
  it('shows the latest text of a growing segment, still live until it is final', () => {
    const captions = mergeCaptions(
      [seg('a', 'agent', 'I have', 1, false), seg('a', 'agent', 'I have been tired', 1, false)],
      'user',
    );
    expect(captions).toEqual([{ key: 'a', speaker: 'patient', text: 'I have been tired', live: true }]);

    const done = mergeCaptions(
      [seg('a', 'agent', 'I have', 1, false), seg('a', 'agent', 'I have been tired.', 1)],
      'user',
    );
    expect(done[0]).toMatchObject({ text: 'I have been tired.', live: false });
  });

  it('orders both sides by time and joins consecutive segments of one speaker', () => {
    const captions = mergeCaptions(
      [
        seg('p2', 'agent', 'Since spring.', 40),
        seg('s1', 'user', 'How long', 10),
        seg('s2', 'user', 'has it been?', 20),
        seg('p1', 'agent', 'Months.', 30),
      ],
      'user',
    );
    expect(captions.map((c) => [c.speaker, c.text])).toEqual([
      ['student', 'How long has it been?'],
      ['patient', 'Months. Since spring.'],
    ]);
  });

  it('keeps a segment at the time it began when a later version arrives', () => {
    const captions = mergeCaptions(
      [
        seg('s1', 'user', 'Hello', 10, false),
        seg('p1', 'agent', 'Hi doctor', 20),
        seg('s1', 'user', 'Hello there', 30),
      ],
      'user',
    );
    expect(captions.map((c) => c.speaker)).toEqual(['student', 'patient']);
  });

  it('drops empty segments and keeps only the newest lines', () => {
    const many = Array.from({ length: 10 }, (_, i) => seg(`x${i}`, i % 2 ? 'agent' : 'user', `line ${i}`, i));
    const captions = mergeCaptions([...many, seg('blank', 'agent', '  ', 99)], 'user', 3);
    expect(captions.map((c) => c.text)).toEqual(['line 7', 'line 8', 'line 9']);
  });

  it("reads the segment id and finality from the stream's attributes", () => {
    expect(
      segmentOf({
        text: 'Hi',
        participantInfo: { identity: 'agent-1' },
        streamInfo: {
          id: 'stream-1',
          timestamp: 5,
          attributes: { 'lk.segment_id': 'SG_1', 'lk.transcription_final': 'true' },
        },
      }),
    ).toEqual({ id: 'SG_1', identity: 'agent-1', text: 'Hi', final: true, timestamp: 5 });
    expect(
      segmentOf({ text: 'Hi', participantInfo: { identity: 'a' }, streamInfo: { id: 'stream-2', timestamp: 5 } }),
    ).toMatchObject({ id: 'stream-2', final: false });
  });
});

describe('the patient state and the clock', () => {
  it('says what the patient is doing in plain words', () => {
    expect(patientStateWords('listening', 'Maria')).toBe('Maria is listening');
    expect(patientStateWords('thinking', 'Maria')).toBe('Maria is thinking');
    expect(patientStateWords('speaking', 'Maria')).toBe('Maria is speaking');
    expect(patientStateWords('connecting', 'Maria')).toBe('Waiting for Maria to join…');
    expect(patientStateWords('failed', 'Maria')).toContain('could not join');
  });

  it('runs the clock only while connected with the patient in the call', () => {
    expect(clockRuns('connected', 'listening')).toBe(true);
    expect(clockRuns('connected', 'speaking')).toBe(true);
    expect(clockRuns('connected', 'connecting')).toBe(false);
    expect(clockRuns('reconnecting', 'speaking')).toBe(false);
    expect(clockRuns('disconnected', 'listening')).toBe(false);
  });
});

describe('after the room is lost', () => {
  it('offers to resume a session that lives on, and never ends it', () => {
    expect(afterDisconnect({ endedByStudent: false, sessionStatus: 'active' })).toEqual({ kind: 'offer-resume' });
    expect(afterDisconnect({ endedByStudent: false, sessionStatus: null })).toEqual({ kind: 'offer-resume' });
  });

  it('goes to the report when the student ended it or the session ended on the server', () => {
    expect(afterDisconnect({ endedByStudent: true, sessionStatus: 'active' })).toEqual({ kind: 'report' });
    expect(afterDisconnect({ endedByStudent: false, sessionStatus: 'ended' })).toEqual({ kind: 'report' });
  });

  it('tells a refused microphone from a missing one', () => {
    expect(microphoneProblem(new DOMException('denied', 'NotAllowedError'))).toBe('refused');
    expect(microphoneProblem(new DOMException('none', 'NotFoundError'))).toBe('missing');
    expect(microphoneProblem(new Error('boom'))).toBe('unavailable');
  });
});
