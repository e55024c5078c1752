import { defineConfig, type Plugin } from 'vite';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

// Writes a .gz twin beside every text file of the finished build (after Vite
// wrote them, so the twins hold exactly the bytes served uncompressed);
// osh-gateway sends a twin to clients that accept gzip.
function gzipTwins(): Plugin {
  let outDir = 'dist';
  return {
    name: 'osh-gzip-twins',
    apply: 'build',
    configResolved(config) {
      outDir = join(config.root, config.build.outDir);
    },
    writeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
      for (const file of walk(outDir)) {
        if (!/\.(js|css|html|json|svg)$/.test(file)) continue;
        const bytes = readFileSync(file);
        if (bytes.length < 1024) continue;
        const gzipped = gzipSync(bytes, { level: 9 });
        // Already compressed data gains nothing.
        if (gzipped.length > bytes.length * 0.9) continue;
        writeFileSync(`${file}.gz`, gzipped);
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
    // Each page group (public, province, national), ECharts and the map are
    // chunks of their own, loaded when first needed; the initial bundle is the shell.
  },
  plugins: [gzipTwins()],
  server: { proxy: { '/v1': 'http://127.0.0.1:8080', '/openapi.json': 'http://127.0.0.1:8080' } },
});
