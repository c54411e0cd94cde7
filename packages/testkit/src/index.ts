export * from './chromium.js';
export * from './event-stream-client.js';
export * from './livekit-server.js';
export * from './openai-audio.js';
export * from './openai-server.js';
