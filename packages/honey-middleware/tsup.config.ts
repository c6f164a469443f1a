import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'adapters/express': 'src/adapters/express.ts',
    'adapters/koa': 'src/adapters/koa.ts',
    'adapters/fastify': 'src/adapters/fastify.ts',
    'adapters/node': 'src/adapters/node.ts',
  },
  format: ['esm', 'cjs'],
  target: 'node20',
  dts: true,
  clean: true,
  sourcemap: true,
  external: ['express', 'koa', 'fastify'],
});
