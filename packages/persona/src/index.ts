export * from './compile-persona.js';
export * from './scripted-patient.js';
export * from './text-patient.js';
