/**
 * The API's feature boundaries (docs/architecture.md), checked by `pnpm lint` and so by CI.
 *
 * Every folder under `apps/api/src` is a feature, except the shared layers: `http/` (the HTTP
 * layer) and `streaming/` (the event-stream writer), and `cli/` (commands, like the root files
 * `main.ts`, `app.ts` and `config.ts`, which wire features together). A feature's file may import
 * its own feature, the shared layers and packages, never another feature's files; a shared layer
 * never imports a feature. Biome's `noRestrictedImports` matches import strings, not the folder
 * they resolve to, so it cannot say "another feature" without listing every pair: this script can.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Folders every feature may import; they import no feature. */
export const SHARED_LAYERS = ['http', 'streaming'] as const;
/** Folders that wire features together (like the root files): neither a feature nor a layer. */
const WIRING = ['cli'];
/** Root files anyone may import: the settings schema (`Services.config` is typed by it). */
const SHARED_ROOT_FILES = ['config.ts'];

export interface Violation {
  /** The importing file, relative to the source root. */
  file: string;
  specifier: string;
  rule: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** The top folder of a path under the source root, or null for a root file. */
function topFolder(srcRoot: string, path: string): string | null {
  const parts = relative(srcRoot, path).split(sep);
  return parts.length > 1 ? (parts[0] ?? null) : null;
}

/** Every import, re-export and dynamic import of `file` that breaks a boundary. */
export function checkBoundaries(srcRoot: string): Violation[] {
  const violations: Violation[] = [];
  for (const file of sourceFiles(srcRoot)) {
    const from = topFolder(srcRoot, file);
    if (from === null || WIRING.includes(from)) continue;
    const fromLayer = (SHARED_LAYERS as readonly string[]).includes(from);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (!specifier.startsWith('.')) continue; // a package: always allowed
      const target = resolve(dirname(file), specifier);
      const to = topFolder(srcRoot, target);
      if (to === from) continue;
      if (to === null && SHARED_ROOT_FILES.includes(relative(srcRoot, target).replace(/\.js$/, '.ts'))) continue;
      const toLayer = to !== null && (SHARED_LAYERS as readonly string[]).includes(to);
      const rule = fromLayer
        ? toLayer
          ? null
          : `the shared layer ${from}/ imports ${to === null ? 'a root file' : `the feature ${to}/`}`
        : toLayer
          ? null
          : `the feature ${from}/ imports ${to === null ? 'a root file' : `another feature's file (${to}/)`}`;
      if (rule) violations.push({ file: relative(srcRoot, file), specifier, rule });
    }
  }
  return violations;
}

/** The API's source root. */
export const API_SOURCE = fileURLToPath(new URL('../apps/api/src', import.meta.url));

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const violations = checkBoundaries(API_SOURCE);
  for (const v of violations) console.error(`apps/api/src/${v.file}: '${v.specifier}': ${v.rule}`);
  if (violations.length > 0) {
    console.error(
      `${violations.length} feature-boundary violation(s): a feature imports only http/, streaming/ and packages (docs/architecture.md)`,
    );
    process.exit(1);
  }
  console.log('feature boundaries: ok');
}
