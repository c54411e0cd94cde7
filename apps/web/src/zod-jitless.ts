/**
 * Zod probes for `eval` (new Function) to speed parsing up; the API's content security policy refuses
 * eval, so the probe would only add a policy violation to every page. Imported first by main.tsx, before
 * any module parses with zod.
 */
import { z } from 'zod';

z.config({ jitless: true });
