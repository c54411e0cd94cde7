/**
 * What a failed query says about itself: the SQLSTATE (or the driver's code) of the error or of
 * one it was caused by, since drizzle wraps the driver's error in its own (`cause`). The one place
 * the code reads Postgres error codes; named codes beat bare numbers at the call sites. A package
 * of SQLSTATE constants (pg-error-enum and the like) would add a dependency for four strings.
 */

/** The SQLSTATEs the code acts on (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
export const SQLSTATE = {
  foreignKeyViolation: '23503',
  uniqueViolation: '23505',
  duplicateDatabase: '42P04',
  queryCanceled: '57014',
} as const;

interface CodedError {
  code: string;
  /** The constraint that fired (postgres.js names it so). */
  constraint_name?: string;
}

/** The errors in the cause chain that carry a code, outermost first (a few levels: drizzle wraps once). */
export function codedErrors(error: unknown): CodedError[] {
  const found: CodedError[] = [];
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') found.push(e as CodedError);
  }
  return found;
}

/** Does the error (or one it was caused by) carry this code? */
export function hasErrorCode(error: unknown, code: string): boolean {
  return codedErrors(error).some((e) => e.code === code);
}

/** Postgres' unique_violation: the constraint that fired ('' when unnamed), or null for any other error. */
export function uniqueViolation(error: unknown): string | null {
  const violation = codedErrors(error).find((e) => e.code === SQLSTATE.uniqueViolation);
  return violation ? (violation.constraint_name ?? '') : null;
}
