/**
 * The input rule for text (@sp/core `textFault`) applied to every /v1
 * request in one place, before any handler: each query value and every string
 * of a JSON body (keys too) is checked, and a body whose bytes are not valid
 * UTF-8 is refused whole. The answer is 422 VALIDATION_ERROR naming each bad
 * field, before any database call and before any quota counts the turn.
 * (Token claims follow the same rule in auth.ts, answered 401.)
 */
import { DomainError, type TextFaultAt, textFault, textFaults } from '@sp/core';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-context.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

const refuse = (faults: (TextFaultAt & { in: string })[]) =>
  new DomainError('VALIDATION_ERROR', `Invalid request: ${[...new Set(faults.map((f) => f.field))].join(', ')}`, {
    fields: faults,
  });

export function textInputRule(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const faults: (TextFaultAt & { in: string })[] = [];
    for (const [key, values] of Object.entries(c.req.queries())) {
      for (const value of values) {
        const fault = textFault(value) ?? textFault(key);
        if (fault) faults.push({ field: key, in: 'query', message: fault });
      }
    }
    if (faults.length) throw refuse(faults);

    if (c.req.raw.body && /\bjson\b/i.test(c.req.header('content-type') ?? '')) {
      const bytes = await c.req.arrayBuffer();
      let text: string;
      try {
        text = utf8.decode(bytes);
      } catch {
        throw refuse([{ field: '(root)', in: 'body', message: 'must be well-formed UTF-8' }]);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return next(); // the validator answers 400 INVALID_JSON
      }
      // The route's validator (c.req.json()) takes the body parsed here instead of parsing it again;
      // a raw reader (c.req.text(), the webhook's signature check) still gets the bytes cached first.
      (c.req.bodyCache as Record<string, unknown>).json = Promise.resolve(parsed);
      const bodyFaults = textFaults(parsed).map((f) => ({ ...f, in: 'body' }));
      if (bodyFaults.length) throw refuse(bodyFaults);
    }
    await next();
  };
}
