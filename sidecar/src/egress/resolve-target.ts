import { isIP } from 'node:net';
import { PortcullisError } from '@portcullis/shared';
import type { AddressGuard } from './address-guard.js';

/** DNS lookup of every address of a name (main.ts: dns.promises.lookup with all: true). */
export type Lookup = (host: string) => Promise<readonly { readonly address: string; readonly family: number }[]>;

/**
 * Resolves the host once and checks every address it has; the tunnel then connects to the address that
 * was checked, never to the name again, so a DNS answer that changes in between (rebinding) cannot slip
 * a guarded address in. A name with any guarded address is refused as a whole unless the deciding rule
 * named the host exactly (`named`): a name that is half loopback is not one to trust.
 */
export async function resolveTarget(host: string, named: boolean, lookup: Lookup, guard: AddressGuard): Promise<string> {
  let addresses: readonly { readonly address: string }[];
  if (isIP(host) !== 0) {
    addresses = [{ address: host }];
  } else {
    try {
      addresses = await lookup(host);
    } catch (err) {
      throw new PortcullisError('EGRESS_HOST_UNRESOLVED', `the host ${host} could not be resolved (${(err as NodeJS.ErrnoException).code ?? 'DNS error'}); check the name`, { cause: err });
    }
  }
  const first = addresses[0];
  if (!first) throw new PortcullisError('EGRESS_HOST_UNRESOLVED', `the host ${host} has no address; check the name`);
  if (named) return first.address;
  for (const { address } of addresses) {
    const why = guard.reason(address);
    if (why !== undefined) {
      throw new PortcullisError(
        'EGRESS_ADDRESS_BLOCKED',
        `Portcullis refused a tunnel to ${host}: it resolves to ${address}, a ${why} address; only an Allow rule in spec.egress that names this host exactly (no wildcard) opens it`,
      );
    }
  }
  return first.address;
}
