import { resolveEndpoint } from '@portcullis/shared';

export interface StsTarget {
  /** Origin of the STS endpoint. */
  readonly endpoint: string;
  /** Region the SDK client is configured with (the call is unsigned, so it only picks defaults). */
  readonly region: string;
}

const DEFAULT_REGION = { aws: 'us-east-1', 'aws-cn': 'cn-north-1', 'aws-us-gov': 'us-gov-west-1' } as const;

/**
 * Where AssumeRoleWithWebIdentity goes: the source's endpoint override (moto in tests, a VPC endpoint),
 * else the regional endpoint of stsRegion, else the partition's default (the global sts.amazonaws.com in
 * the aws partition). FIPS and dual-stack follow the source's settings. Always explicit, so no
 * AWS_ENDPOINT_URL_* or config file in the sidecar's environment can send the web-identity token elsewhere.
 */
export function stsTarget(opts: {
  readonly partition: keyof typeof DEFAULT_REGION;
  readonly stsRegion: string | undefined;
  readonly endpoint: URL | undefined;
  readonly useFips: boolean;
  readonly useDualstack: boolean;
}): StsTarget {
  const region = opts.stsRegion ?? DEFAULT_REGION[opts.partition];
  if (opts.endpoint) return { endpoint: opts.endpoint.origin, region };
  if (opts.stsRegion === undefined && opts.partition === 'aws' && !opts.useFips && !opts.useDualstack) {
    return { endpoint: 'https://sts.amazonaws.com', region };
  }
  const resolved = resolveEndpoint({ service: 'sts', region, useFips: opts.useFips, useDualstack: opts.useDualstack });
  return { endpoint: resolved.url.origin, region };
}
