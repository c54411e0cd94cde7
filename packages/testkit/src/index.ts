export * from './livekit-server.js';
export * from './openai-server.js';
