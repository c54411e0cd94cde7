export * from './compile-persona.js';
