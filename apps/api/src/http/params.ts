/**
 * Path parameters: how an id in a URL is described and read. An id that cannot name a row (not a
 * UUID) is never sent to Postgres, whose uuid cast would fail: the route answers as for a row that
 * is not there.
 */
import { z } from 'zod';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);

/** `{session_id}` in a path: up to 100 characters (longer answers 422); any other id that is not a session's answers 404. */
export const sessionIdParam = z.object({
  session_id: z
    .string()
    .max(100)
    .meta({ param: { name: 'session_id', in: 'path' }, example: '0b6f3c1e-5a2d-4c8e-9f10-2b3c4d5e6f70' }),
});
