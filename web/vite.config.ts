import { defineConfig } from 'vitest/config';

// No @vitejs/plugin-react: esbuild compiles JSX with the automatic runtime.
// During `npm run dev`, /api is proxied to a locally running `kino serve` (KINO_DEV_API, default :8080).
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The server's CSP is `default-src 'self'`: keep everything in files, never inline.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rollupOptions: {
      onwarn(warning, warn) {
        // react-router marks its modules "use client" (for RSC); meaningless in a plain SPA bundle.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE' || warning.code === 'SOURCEMAP_ERROR') return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: { '/api': process.env.KINO_DEV_API ?? 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
