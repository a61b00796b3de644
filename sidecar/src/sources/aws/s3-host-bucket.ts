/**
 * S3's own virtual-hosted names, which apps in HTTPS_PROXY mode call unchanged: `<bucket>.s3.<region>`,
 * the legacy `<bucket>.s3-<region>` and global `<bucket>.s3`, with `-fips` and `.dualstack`, under
 * amazonaws.com or amazonaws.com.cn. Access points, Object Lambda and Outposts names are not buckets and do
 * not match (`.s3-accesspoint.` has no region shape).
 */
const S3_VIRTUAL_HOST = /^(.+)\.s3(?:-fips)?(?:\.dualstack)?(?:[.-][a-z]{2}(?:-[a-z]+)+-\d+)?\.amazonaws\.com(?:\.cn)?$/;

/** The bucket of a request whose Host is one of S3's own virtual-hosted names, lowercase; undefined otherwise. */
export function s3HostBucket(host: string | undefined): string | undefined {
  if (host === undefined || host.startsWith('[')) return undefined;
  const name = host.replace(/:\d*$/, '').toLowerCase().replace(/\.$/, '');
  return S3_VIRTUAL_HOST.exec(name)?.[1];
}
