// spec.proxyHosts entries the API server must refuse: a source may add host names it serves in
// HTTPS_PROXY mode, never every host or a whole top-level domain.
import { awsSpec, credentialSource as cs, type InvalidCase } from './manifests.js';

const withHosts = (proxyHosts: string[]): ReturnType<typeof cs> => cs({ ...awsSpec, proxyHosts });

export const invalidProxyHosts: readonly InvalidCase[] = [
  { name: 'a source that would intercept every host', manifest: withHosts(['*']), field: 'spec.proxyHosts[0]', message: 'spec.proxyHosts entry "*" is not a host name' },
  { name: 'a wildcard over a top-level domain', manifest: withHosts(['s3.eu-west-1.amazonaws.com', '*.com']), field: 'spec.proxyHosts[1]', message: 'spec.proxyHosts entry "*.com" is not a host name' },
  { name: 'a wildcard inside a host name', manifest: withHosts(['api.*.example.com']), field: 'spec.proxyHosts[0]', message: 'a wildcard only as the first label' },
  { name: 'the same proxy host twice', manifest: withHosts(['a.example.com', 'a.example.com']), field: 'spec.proxyHosts[1]', message: 'Duplicate value' },
];
