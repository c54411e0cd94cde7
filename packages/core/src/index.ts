export * from './case-study.js';
export * from './contracts/index.js';
export * from './errors.js';
export * from './session-rules.js';
