import { createResourceValidator } from '@portcullis/shared';
import type { Logger } from 'pino';
import type { SidecarOptions } from '../config/options.js';
import type { Files } from '../io/files.js';
import { FileStore } from '../store/file-store.js';
import type { SidecarState } from '../store/state.js';
import type { Mode } from './mode.js';

type Standalone = Extract<SidecarOptions['mode'], { kind: 'standalone' }>;

/** --standalone: the identity from --identity, sources and policies from YAML files (re-read on change). */
export function createStandaloneMode(mode: Standalone, state: SidecarState, deps: { log: Logger; files: Files }): Mode {
  const store = new FileStore({
    path: mode.configPath,
    namespace: mode.identity.namespace,
    validator: createResourceValidator(),
    hooks: { onLoad: (load) => void state.applyFiles(load) },
    log: deps.log,
    files: deps.files,
  });
  return {
    identity: () => mode.identity,
    identityProblem: () => undefined,
    async start() {
      await state.setIdentity(mode.identity);
      await store.start();
    },
    stop: () => store.stop(),
  };
}
