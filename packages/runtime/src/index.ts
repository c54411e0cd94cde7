/**
 * Process lifecycle, the same in every app and command: configuration read and checked once (every
 * problem at once, as a ConfigError that only an entry file turns into an exit), the settings several
 * processes share with their production guards, the logger, and stopping on a signal within a
 * deadline. Apps take these from here, never from the database package.
 */
export * from './config.js';
export * from './env-file.js';
export * from './logger.js';
export * from './settings.js';
export * from './shutdown.js';
