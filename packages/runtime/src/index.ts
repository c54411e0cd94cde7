/**
 * Process lifecycle, the same in every app and command: configuration read and checked once,
 * the logger, and stopping on a signal within a deadline. Apps take these from here, never from
 * the database package.
 */
export * from './shutdown.js';
