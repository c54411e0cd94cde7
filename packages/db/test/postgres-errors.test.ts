/** The error codes the code acts on, read from real Postgres failures as drizzle wraps them. */

import { createTestDatabase, insertTenant } from '@sp/dev-postgres/testing';
import { describe, expect, it } from 'vitest';
import { hasErrorCode, isDatabaseUnavailable, SQLSTATE, tenants, uniqueViolation, users } from '../src/index.js';

const test = await createTestDatabase();
const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable('the statement succeeded'),
    (e: unknown) => e,
  );

describe('postgres error codes', () => {
  it('name the unique constraint that fired, through drizzle', async () => {
    const tenant = await insertTenant(test.db);
    const error = await failure(test.db.insert(tenants).values({ slug: tenant.slug, name: 'again' }));
    expect(uniqueViolation(error)).toBe('tenants_slug_unique');
    expect(hasErrorCode(error, SQLSTATE.foreignKeyViolation)).toBe(false);
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('tell a foreign-key violation from a unique one', async () => {
    const error = await failure(
      test.db.insert(users).values({ id: 'u-1', tenantId: '00000000-0000-4000-8000-000000000000', role: 'student' }),
    );
    expect(hasErrorCode(error, SQLSTATE.foreignKeyViolation)).toBe(true);
    expect(uniqueViolation(error)).toBeNull();
  });

  it('read nothing into an error without a code', () => {
    expect(uniqueViolation(new Error('plain'))).toBeNull();
    expect(uniqueViolation(undefined)).toBeNull();
  });
});
