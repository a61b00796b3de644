import { PortcullisError } from '@portcullis/shared';
import type { Origin, OriginDeps } from './origin.js';

/**
 * An origin whose code could not be loaded: the source fails closed. Every request is refused with
 * CREDENTIAL_UNAVAILABLE and /readyz lists why, while the other sources keep working.
 */
class UnloadableOrigin implements Origin<never> {
  readonly principal: Readonly<Record<string, string>> = {};
  private readonly error: PortcullisError;

  constructor(source: string, what: string, cause: unknown) {
    // One line: a loader's message can run over several (jest's, bun's "Cannot find module" with its paths).
    const reason = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0];
    this.error = new PortcullisError(
      'CREDENTIAL_UNAVAILABLE',
      `source ${source}: the sidecar could not load its ${what} code (${reason}); the sidecar executable is incomplete or damaged: reinstall the image or binary of this release`,
      { cause },
    );
  }

  get(): never {
    throw this.error;
  }

  problem(): string {
    return this.error.message;
  }

  close(): void {}
}

/**
 * Opens an origin whose code (and library) is loaded with `import()` only when a source of its kind exists
 * (ADR 38): a pod without such a source never runs it and does not pay its memory. `load` is the
 * `import()` of the origin's `open.ts`; `open` builds the origin from it. When the code cannot be loaded
 * the origin fails closed (UnloadableOrigin) and the failure is logged once with its code; errors of
 * `open` itself propagate as they would without the lazy load.
 */
export async function openLazily<M, T>(
  source: string,
  what: string,
  deps: Pick<OriginDeps, 'log'>,
  load: () => Promise<M>,
  open: (code: M) => Origin<T> | Promise<Origin<T>>,
): Promise<Origin<T>> {
  let code: M;
  try {
    code = await load();
  } catch (err) {
    const origin = new UnloadableOrigin(source, what, err);
    deps.log.error({ source, code: 'CREDENTIAL_UNAVAILABLE', err }, origin.problem());
    return origin;
  }
  return open(code);
}
