import { createResourceValidator } from '@portcullis/shared';
import type { Logger } from 'pino';
import type { SidecarOptions } from '../config/options.js';
import type { Files } from '../io/files.js';
import type { FileStore } from '../store/file-store.js';
import type { SidecarState } from '../store/state.js';
import type { Mode } from './mode.js';

type Standalone = Extract<SidecarOptions['mode'], { kind: 'standalone' }>;

/**
 * --standalone: the identity from --identity, sources and policies from YAML files (re-read on change).
 * The file store and its YAML parser are loaded by start(), so a sidecar in a pod (cluster mode, which
 * never reads resource files) never loads them (ADR 38).
 */
export function createStandaloneMode(mode: Standalone, state: SidecarState, deps: { log: Logger; files: Files }): Mode {
  let store: FileStore | undefined;
  let stopped = false;
  return {
    identity: () => mode.identity,
    identityProblem: () => undefined,
    // No Pod object to watch: policy-level spec.suspend is the kill switch here.
    podSuspension: () => undefined,
    async start() {
      await state.setIdentity(mode.identity);
      const { FileStore } = await import('../store/file-store.js');
      if (stopped) return;
      store = new FileStore({
        path: mode.configPath,
        namespace: mode.identity.namespace,
        validator: createResourceValidator(),
        hooks: { onLoad: (load) => void state.applyFiles(load) },
        log: deps.log,
        files: deps.files,
      });
      await store.start();
    },
    stop: () => {
      stopped = true;
      store?.stop();
    },
  };
}
