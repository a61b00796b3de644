import { isIP } from 'node:net';
import { integer, invalid, list, oneOf, required, type Values } from './flags.js';
import type { FileTlsOptions, SecretTlsOptions } from './options.js';

const DAY_SECONDS = 86_400;

function lifetimes(v: Values): Pick<SecretTlsOptions['policy'], 'caValiditySeconds' | 'caRenewBeforeSeconds' | 'certValiditySeconds' | 'certRenewBeforeSeconds' | 'caPropagationSeconds'> {
  const caValiditySeconds = integer(v, 'ca-validity-seconds', 365 * DAY_SECONDS, 10);
  const caRenewBeforeSeconds = integer(v, 'ca-renew-before-seconds', 90 * DAY_SECONDS, 1);
  const certValiditySeconds = integer(v, 'cert-validity-seconds', 30 * DAY_SECONDS, 10);
  const certRenewBeforeSeconds = integer(v, 'cert-renew-before-seconds', 10 * DAY_SECONDS, 1);
  const caPropagationSeconds = integer(v, 'ca-propagation-seconds', 60, 0);
  const checkSeconds = integer(v, 'cert-check-interval-seconds', 30, 1);
  const rule = (ok: boolean, option: string, value: number, want: string): void => {
    if (!ok) throw invalid(option, String(value), want);
  };
  rule(caRenewBeforeSeconds < caValiditySeconds, 'ca-renew-before-seconds', caRenewBeforeSeconds, 'must be shorter than --ca-validity-seconds');
  rule(certRenewBeforeSeconds < certValiditySeconds, 'cert-renew-before-seconds', certRenewBeforeSeconds, 'must be shorter than --cert-validity-seconds');
  rule(caRenewBeforeSeconds > certRenewBeforeSeconds, 'ca-renew-before-seconds', caRenewBeforeSeconds, 'must be longer than --cert-renew-before-seconds, so a new CA exists before the last certificate of the old one is due');
  rule(
    certRenewBeforeSeconds > caPropagationSeconds + 2 * checkSeconds,
    'cert-renew-before-seconds',
    certRenewBeforeSeconds,
    'must exceed --ca-propagation-seconds plus two --cert-check-interval-seconds, so a certificate never expires while waiting for a new CA to propagate',
  );
  return { caValiditySeconds, caRenewBeforeSeconds, certValiditySeconds, certRenewBeforeSeconds, caPropagationSeconds };
}

/** --tls-mode secret (self-managed CA in a Secret, the default) or files (cert-manager or other mounted files). */
export function tlsOptions(v: Values, namespace: string): SecretTlsOptions | FileTlsOptions {
  const mode = oneOf(v, 'tls-mode', 'secret', ['secret', 'files'] as const);
  const checkIntervalMs = integer(v, 'cert-check-interval-seconds', 30, 1) * 1000;
  if (mode === 'files') return { mode, certFile: required(v, 'tls-cert-file'), keyFile: required(v, 'tls-key-file'), checkIntervalMs };
  const service = v['service-name'] ?? 'portcullis-webhook';
  const dnsNames = [`${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`, ...list(v['tls-dns-names'])];
  const ipAddresses = list(v['tls-ip-addresses']);
  for (const ip of ipAddresses) if (isIP(ip) === 0) throw invalid('tls-ip-addresses', ip, 'expected IP addresses separated by commas');
  return {
    mode,
    secretName: v['tls-secret-name'] ?? 'portcullis-webhook-tls',
    webhookConfigName: v['webhook-config-name'] ?? 'portcullis-webhook',
    policy: { commonName: `${service}.${namespace}.svc`, dnsNames: [...new Set(dnsNames)], ipAddresses, ...lifetimes(v) },
    checkIntervalMs,
  };
}
