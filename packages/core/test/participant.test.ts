/** The participant and dispatch contracts the API writes and the worker reads. */
import { describe, expect, it } from 'vitest';
import { dispatchMetadataOf, participantAttributesSchema } from '../src/index.js';

const session = '0b6f3c1e-5a2d-4c8e-9f10-2b3c4d5e6f70';
const tenant = '1c7f4d2e-6b3e-4d9f-8a21-3c4d5e6f7081';

describe('participant attributes', () => {
  it('admit only a complete set naming uuids', () => {
    const attributes = { tenant_id: tenant, user_id: 'u-1', session_id: session, case_study_id: session };
    expect(participantAttributesSchema.safeParse(attributes).success).toBe(true);
    expect(participantAttributesSchema.safeParse({ ...attributes, session_id: 'room-1' }).success).toBe(false);
    expect(participantAttributesSchema.safeParse({ ...attributes, user_id: '' }).success).toBe(false);
  });
});

describe('dispatch metadata', () => {
  it('reads the session a job was dispatched for, and nothing from text that is not ours', () => {
    expect(dispatchMetadataOf(JSON.stringify({ session_id: session, tenant_id: tenant }))).toEqual({
      session_id: session,
      tenant_id: tenant,
    });
    expect(dispatchMetadataOf('')).toBeNull();
    expect(dispatchMetadataOf(undefined)).toBeNull();
    expect(dispatchMetadataOf('{not json')).toBeNull();
    expect(dispatchMetadataOf(JSON.stringify({ session_id: 'x' }))).toBeNull();
  });
});
