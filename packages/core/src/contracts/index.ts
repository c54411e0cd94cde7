export * from './case-study-views.js';
export * from './chat-history.js';
export * from './envelope.js';
export * from './initialize.js';
export * from './list.js';
export * from './session.js';
export * from './streams.js';
