export * from './case-study.js';
export * from './contracts/index.js';
export * from './errors.js';
export * from './injection.js';
export * from './phrases.js';
export * from './session-rules.js';
export * from './text-channel.js';
export * from './text-input.js';
