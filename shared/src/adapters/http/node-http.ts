import type * as NodeHttp from 'node:http';

/**
 * `node:http` without its ESM facade. An ESM `import … from 'node:http'` builds a facade that reads every
 * export, including the lazy `WebSocket`/`MessageEvent` getters that load Node's bundled undici: measured
 * on Node 24 at ~120 ms and ~12 MiB per process, paid by every sidecar at start. The CommonJS module
 * object has the same API and loads undici only if someone touches those getters.
 * Import types from 'node:http' with `import type`; take values from here.
 */
export const nodeHttp: typeof NodeHttp = process.getBuiltinModule('node:http');

export { drainServer, type Drainable, type DrainOptions, type Drained } from './drain.js';
