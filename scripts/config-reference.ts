/**
 * `pnpm config:generate`: writes `.env.example` and `docs/configuration.md` from the zod config
 * schemas, so the list of settings has one source. `test/config-reference.test.ts` fails when
 * either file is stale.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { agentConfigSchema } from '../apps/agent/src/config.js';
import { apiConfigSchema } from '../apps/api/src/config.js';
import { webDevConfigSchema } from '../apps/web/src/dev-config.js';
import { devDatabaseConfigSchema } from '../packages/dev-postgres/src/config.js';
import { gradingConfigSchema } from '../packages/grading/src/config.js';
import { modelConfigSchema } from '../packages/models/src/config.js';
import { loggingConfigSchema } from '../packages/runtime/src/settings.js';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Group {
  title: string;
  /** The processes that parse this schema. */
  readers: string[];
  schema: z.ZodType;
}

/** Every config schema, in the order the reference lists them; a variable is listed under the first group that has it. */
export const settingGroups: Group[] = [
  { title: 'Database', readers: ['dev', 'db:*', 'api', 'jobs', 'agent'], schema: devDatabaseConfigSchema },
  { title: 'Logging', readers: ['api', 'jobs', 'agent'], schema: loggingConfigSchema },
  { title: 'API', readers: ['api'], schema: apiConfigSchema },
  { title: 'Model endpoint', readers: ['api', 'jobs'], schema: modelConfigSchema },
  { title: 'Grading', readers: ['api', 'jobs'], schema: gradingConfigSchema },
  { title: 'Worker', readers: ['agent'], schema: agentConfigSchema },
  { title: 'Web app', readers: ['web'], schema: webDevConfigSchema },
];

export interface Setting {
  name: string;
  group: string;
  /** The default as a user would type it; undefined when unset by default. */
  defaultValue: string | undefined;
  description: string | undefined;
  readers: string[];
}

/** The object schema under a schema's refinements and transforms. */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  let current = schema as z.ZodType & { _zod: { def: { type: string; in?: z.ZodType } } };
  while (current._zod.def.type === 'pipe' && current._zod.def.in) current = current._zod.def.in as typeof current;
  if (!(current instanceof z.ZodObject)) throw new Error('a config schema must be a zod object (maybe refined)');
  return current.shape as Record<string, z.ZodType>;
}

function defaultOf(field: z.ZodType): string | undefined {
  const meta = z.globalRegistry.get(field) as { shownDefault?: string } | undefined;
  if (meta?.shownDefault !== undefined) return meta.shownDefault;
  const parsed = field.safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return undefined;
  return parsed.data === null ? 'unlimited' : String(parsed.data);
}

export function settings(): Setting[] {
  const byName = new Map<string, Setting>();
  for (const group of settingGroups) {
    for (const [name, field] of Object.entries(shapeOf(group.schema))) {
      const description = z.globalRegistry.get(field)?.description;
      const known = byName.get(name);
      if (known) {
        known.readers = [...new Set([...known.readers, ...group.readers])];
        known.description ??= description;
        continue;
      }
      byName.set(name, {
        name,
        group: group.title,
        defaultValue: defaultOf(field),
        description,
        readers: group.readers,
      });
    }
  }
  return [...byName.values()];
}

const GENERATED = 'Generated from the zod config schemas by `pnpm config:generate`; do not edit by hand.';

export function renderEnvExample(list = settings()): string {
  const lines = [
    '# Every setting of Standardized Patient, with its default. Copy this file to .env and uncomment',
    '# what you change: every app and command reads .env at the repository root, and a variable set',
    '# in the environment wins over the file.',
    `# ${GENERATED}`,
  ];
  for (const group of settingGroups) {
    const members = list.filter((setting) => setting.group === group.title);
    if (members.length === 0) continue;
    lines.push('', `## ${group.title}`);
    for (const setting of members) {
      lines.push('', `# ${setting.description ?? ''}`.trimEnd(), `# ${setting.name}=${setting.defaultValue ?? ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const cell = (text: string) => text.replaceAll('|', '\\|');

export function renderConfigurationDoc(list = settings()): string {
  const out = [
    '# Configuration',
    '',
    `<!-- ${GENERATED} -->`,
    '',
    'Every setting is an environment variable with a working default, parsed once at start by zod',
    'schemas. A setting several processes read (`LOG_LEVEL`, `NODE_ENV`, `DATABASE_URL`, `LIVEKIT_*`,',
    '`AGENT_NAME`, `OPENAI_*`) is defined once, in `packages/runtime/src/settings.ts`, with the',
    'production guard the API and the worker share. A start with bad values names every one of them,',
    'one line each, and the process stops with exit status 1.',
    '',
    '**`.env`.** Every app and command (`pnpm dev`, the apps, `jobs`, the `db:*` commands, `dev-token`)',
    'reads a `.env` file at the repository root when there is one. A variable set in the environment wins',
    'over the file. [`.env.example`](../.env.example) lists every variable with its default: copy it to',
    '`.env` and uncomment what you change. `ENV_FILE` names another file to read instead (empty: none).',
    'The test suite reads no `.env`, so a run is the same on every machine; to test against your own',
    'PostgreSQL, set `DATABASE_URL` in the environment.',
    '',
    'The tables below and `.env.example` are generated from the schemas (`pnpm config:generate`); a test',
    'fails when they are stale. "Read by" names the processes: `dev` (the launcher), `db:*` (the',
    'database commands), `api`, `jobs` (the grading consumer on its own), `agent` (the worker) and `web`',
    "(the web app's dev server).",
  ];
  for (const group of settingGroups) {
    const members = list.filter((setting) => setting.group === group.title);
    if (members.length === 0) continue;
    out.push('', `## ${group.title}`, '', '| variable | default | meaning | read by |', '| --- | --- | --- | --- |');
    for (const setting of members) {
      const shown = setting.defaultValue === undefined ? 'unset' : `\`${setting.defaultValue}\``;
      out.push(
        `| \`${setting.name}\` | ${cell(shown)} | ${cell(setting.description ?? '')} | ${setting.readers.join(', ')} |`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

/** The text as `pnpm format` leaves it (Biome formats Markdown), so a generated file passes the lint as written. */
function formatted(path: string, text: string): string {
  const result = spawnSync(join(root, 'node_modules/.bin/biome'), ['format', `--stdin-file-path=${path}`], {
    cwd: root,
    input: text,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`biome could not format ${path}: ${result.stderr}`);
  return result.stdout;
}

export const generatedFiles = () => ({
  '.env.example': renderEnvExample(),
  'docs/configuration.md': formatted('docs/configuration.md', renderConfigurationDoc()),
});

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [path, text] of Object.entries(generatedFiles())) {
    writeFileSync(join(root, path), text);
    console.log(`wrote ${path}`);
  }
}
