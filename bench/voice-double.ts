/**
 * The fake providers of `pnpm bench:voice`, in a process of their own so that
 * the bench's CPU and memory figures are the job's alone. A local OpenAI-wire
 * server with fixed latencies (from VOICE_DOUBLE, JSON), scripted over IPC:
 * `{ utterance }` when the student starts a line (the next transcription
 * answers it, once), `{ replies }` the patient's answers by the student's words,
 * `{ report: true }` asks for the requests' times and this process's CPU.
 */
import { startOpenAIServer } from '@sp/testkit';

interface DoubleConfig {
  sttMs: number;
  llmTtftMs: number;
  ttsTtfbMs: number;
  speechMsPerChar: number;
  speechRealtimeFactor: number;
}

const config = JSON.parse(process.env.VOICE_DOUBLE ?? '{}') as DoubleConfig;
const server = await startOpenAIServer({
  audio: {
    transcriptionLatencyMs: config.sttMs,
    speechTtfbMs: config.ttsTtfbMs,
    speechMsPerChar: config.speechMsPerChar,
    speechRealtimeFactor: config.speechRealtimeFactor,
  },
});
const utterances: { text: string; used: boolean }[] = [];
let replies: Record<string, string> = {};

server.audio.onTranscription(() => {
  const latest = [...utterances].reverse().find((u) => !u.used);
  if (!latest) return { text: '' };
  latest.used = true;
  return { text: latest.text };
});
server.onChat((request) => {
  const last = [...request.messages].reverse().find((m) => m.role === 'user');
  const words = typeof last?.content === 'string' ? last.content.trim() : '';
  return { content: replies[words] ?? 'Sorry, could you say that again?', delayMs: config.llmTtftMs };
});

process.on('message', (message: { utterance?: string; replies?: Record<string, string>; report?: boolean }) => {
  if (message.utterance !== undefined) utterances.push({ text: message.utterance, used: false });
  if (message.replies) replies = message.replies;
  if (message.report) {
    process.send?.({
      requests: server.requests.map((r) => ({ path: r.path, at: r.at, respondedAt: r.respondedAt })),
      cpu: process.cpuUsage(),
    });
  }
});
process.on('disconnect', () => {
  void server.close().finally(() => process.exit(0));
});
process.send?.({ url: server.url, baseURL: server.baseURL });
