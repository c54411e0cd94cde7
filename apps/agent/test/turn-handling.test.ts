/**
 * The patient's turn taking is our explicit choice: the session the worker
 * builds ends the student's turn by VAD endpointing, with VAD interruptions,
 * and only an opt-in setting brings in LiveKit's cloud turn detector. Left
 * unset, the framework would build its own inference turn detector.
 */
import { inference, initializeLogger, voice } from '@livekit/agents';
import * as silero from '@livekit/agents-plugin-silero';
import { describe, expect, it } from 'vitest';
import { agentConfig } from '../src/config.js';
import { voiceSession } from '../src/main.js';
import { ENDPOINTING, turnHandling } from '../src/turn-handling.js';
import { pipelineOptions } from '../src/voice-pipeline.js';

// @livekit/agents logs through its own logger, which must exist before an AgentSession is built.
initializeLogger({ pretty: false, level: 'error' });
const vad = await silero.VAD.load();

describe('turn handling', () => {
  it('ends the student turn by VAD endpointing in the session the worker builds, with no turn-detector model', async () => {
    const config = agentConfig();
    const session = voiceSession(config, pipelineOptions(config), { turn: vad, transcription: vad });
    try {
      expect(config.AGENT_TURN_DETECTION).toBe('vad');
      expect(session.turnDetection).toBe('vad');
      expect(session.turnDetection).not.toBeInstanceOf(inference.TurnDetector);
      const options = session.sessionOptions.turnHandling;
      expect(options.turnDetection).toBe('vad');
      expect(options.interruption.mode).toBe('vad');
      expect(options.endpointing).toMatchObject({ mode: 'fixed', minDelay: 400, maxDelay: 3000 });
      expect(options.interruption.minDuration).toBe(120);
      // The reply is prepared before the turn is committed; its audio only after.
      expect(options.preemptiveGeneration).toMatchObject({ enabled: true, preemptiveTts: false });
      expect(session.interruptionDetection).toBe('vad');
    } finally {
      await session.close();
    }
  });

  it("would otherwise get the framework's own inference turn detector", async () => {
    const session = new voice.AgentSession({ vad });
    try {
      expect(session.turnDetection).toBeInstanceOf(inference.TurnDetector);
    } finally {
      await session.close();
    }
  });

  it("uses LiveKit's cloud turn detector only when AGENT_TURN_DETECTION=livekit_cloud, with the worker's LiveKit key", () => {
    const config = agentConfig({
      AGENT_TURN_DETECTION: 'livekit_cloud',
      LIVEKIT_API_KEY: 'key-x',
      LIVEKIT_API_SECRET: 'secret-x',
    });
    const chosen = turnHandling(config);
    expect(chosen.turnDetection).toBeInstanceOf(inference.TurnDetector);
    expect((chosen.turnDetection as inference.TurnDetector).model).toBe('turn-detector-v1');
    expect(chosen.endpointing).toEqual({ ...ENDPOINTING, minDelay: 400 });
  });

  it('refuses an unknown choice by name', () => {
    expect(() => agentConfig({ AGENT_TURN_DETECTION: 'multilingual' })).toThrow(/AGENT_TURN_DETECTION/);
  });
});
