/** How `policy suggest` generalises the resources of AWS calls. */
export interface ArnOptions {
  /** S3 object keys are grouped by this many leading key segments (`reports/2026/a.csv` with 1 → `reports/*`); 0: the whole bucket. */
  readonly s3PrefixDepth: number;
}

const S3_OBJECT = /^(arn:[a-z-]+:s3:::)([^/]+)\/(.+)$/;
/** The CRD's limit on one resource glob. */
export const MAX_RESOURCE_LENGTH = 256;

/**
 * The ARN glob a policy rule gets for one resource the sidecar derived: S3 object ARNs are grouped by
 * bucket and key prefix; every other ARN (tables, queues, topics, the bucket itself) is kept exactly.
 * Too long for the CRD: cut and ended with `*`.
 */
export function generalizeArn(arn: string, options: ArnOptions): string {
  let out = arn;
  const s3 = S3_OBJECT.exec(arn);
  if (s3) {
    const [, head, bucket, key] = s3 as unknown as [string, string, string, string];
    const parts = key.split('/');
    if (options.s3PrefixDepth === 0) out = `${head}${bucket}/*`;
    else if (parts.length > options.s3PrefixDepth) out = `${head}${bucket}/${parts.slice(0, options.s3PrefixDepth).join('/')}/*`;
  }
  if (out.length > MAX_RESOURCE_LENGTH) out = `${out.slice(0, MAX_RESOURCE_LENGTH - 1)}*`;
  return out;
}
