/**
 * The student web app. In development Vite serves it and forwards the API's
 * paths to the API (one origin, no CORS); in production the API serves `dist/`.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The paths the API answers; everything else is the app. */
export const API_PATHS = ['/v1', '/dev', '/docs', '/openapi.json', '/healthz', '/auth/config'];

export default defineConfig(() => {
  const api = process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8080}`;
  return {
    plugins: [react()],
    server: {
      proxy: Object.fromEntries(API_PATHS.map((path) => [path, { target: api, changeOrigin: false }])),
    },
    build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  };
});
