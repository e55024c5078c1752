import { defineConfig, type Plugin } from 'vite';
import { gzipSync } from 'node:zlib';

// Writes a .gz twin beside every text asset; osh-gateway sends it to clients
// that accept gzip (no compression work per request, no extra dependency).
function gzipTwins(): Plugin {
  return {
    name: 'osh-gzip-twins',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const [name, item] of Object.entries(bundle)) {
        if (!/\.(js|css|html|json|svg)$/.test(name)) continue;
        const source = item.type === 'chunk' ? item.code : item.source;
        const bytes = typeof source === 'string' ? Buffer.from(source) : Buffer.from(source);
        if (bytes.length < 1024) continue;
        const gzipped = gzipSync(bytes, { level: 9 });
        // Already compressed data (the map's encoded coordinates) gains nothing.
        if (gzipped.length > bytes.length * 0.9) continue;
        this.emitFile({ type: 'asset', fileName: `${name}.gz`, source: gzipped });
      }
    },
  };
}

export default defineConfig({
  build: {
    target: 'es2020',
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    // Each page group (public, province, national) and ECharts are chunks of
    // their own, loaded when first needed; the initial bundle is the shell.
    modulePreload: { polyfill: false },
  },
  plugins: [gzipTwins()],
  server: { proxy: { '/v1': 'http://127.0.0.1:8080', '/openapi.json': 'http://127.0.0.1:8080' } },
});
