/**
 * Development-only PostgreSQL: a real server from npm packages for `pnpm dev`, the `pnpm db:*`
 * commands and the tests, so nobody needs to install one. Only development tooling depends on this
 * package (as a devDependency); a production install never contains it or its PostgreSQL binaries.
 */
export * from './config.js';
export * from './dev-database.js';
export * from './embedded.js';
export { PROGRAM_CACHE_ROOT } from './embedded-programs.js';
