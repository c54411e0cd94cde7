export type { ChatCompletionMessageParam as ChatMessage } from 'openai/resources/chat/completions';
export * from './chat.js';
export * from './config.js';
export * from './model-error.js';
export * from './provider.js';
export * from './structured.js';
