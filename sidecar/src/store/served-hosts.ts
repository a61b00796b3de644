import { HTTP_PRESETS, hostGlob, type CredentialSource, type HostGlob, type Valid } from '@portcullis/shared';
import type { SourceRuntime } from '../sources/runtime.js';
import type { ResolvedSource } from './plan.js';

interface Served {
  readonly glob: HostGlob;
  readonly runtime: SourceRuntime;
  /** 0: a name the source lists in spec.proxyHosts; 1: a default (its upstream's host, its preset's, *.amazonaws.com). */
  readonly listed: 0 | 1;
}

/**
 * The public host of each http source's preset (api.openai.com for openai): an app in proxy mode calls it
 * even when spec.http.upstream points elsewhere (a regional endpoint, a gateway, a test server).
 */
export function presetHosts(sources: readonly Valid<CredentialSource>[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const cs of sources) {
    const preset = cs.spec.http?.preset;
    // Presets with no fixed host (azure-storage, azure-openai: the account's own host) add none.
    const upstream = preset === undefined ? undefined : HTTP_PRESETS[preset].upstream;
    if (upstream !== undefined) out.set(cs.metadata.name ?? '', new URL(upstream).hostname);
  }
  return out;
}

/** Listed before defaults; then an exact name before a wildcard, a longer wildcard before a shorter; then the source's name. */
function precedence(a: Served, b: Served): number {
  if (a.listed !== b.listed) return a.listed - b.listed;
  if (a.glob.exact !== b.glob.exact) return a.glob.exact ? -1 : 1;
  if (a.glob.source.length !== b.glob.source.length) return b.glob.source.length - a.glob.source.length;
  return a.runtime.name.localeCompare(b.runtime.name);
}

/**
 * Which source serves a host in proxy mode. Every source serves its defaults — an http source its
 * upstream's host and its preset's public host, an aws source every *.amazonaws.com name (service, region
 * and bucket come from the request) — and the names it lists in spec.proxyHosts. A listed name wins over
 * every default, so an S3 source that lists *.s3.eu-west-1.amazonaws.com serves S3 there although another
 * aws source also serves *.amazonaws.com; among equals the more specific glob wins, then the name order.
 */
export function servedHosts(usable: readonly ResolvedSource[], runtimes: ReadonlyMap<string, SourceRuntime>, presets: ReadonlyMap<string, string>): (host: string) => SourceRuntime | undefined {
  const entries: Served[] = [];
  for (const resolved of usable) {
    const runtime = runtimes.get(resolved.name);
    if (!runtime) continue;
    for (const p of resolved.proxyHosts) entries.push({ glob: hostGlob(p), runtime, listed: 0 });
    const preset = presets.get(resolved.name);
    const defaults = resolved.type === 'aws' ? ['*.amazonaws.com'] : [runtime.upstream.hostname, ...(preset === undefined ? [] : [preset])];
    for (const p of defaults) entries.push({ glob: hostGlob(p), runtime, listed: 1 });
  }
  entries.sort(precedence);
  return (host) => entries.find((e) => e.glob.test(host))?.runtime;
}
