import { describe, expect, it } from '@jest/globals';
import { parseMetrics, sumOf } from './prometheus.ts';

const TEXT = `# HELP apiserver_request_total [STABLE] Counter of apiserver requests
# TYPE apiserver_request_total counter
apiserver_request_total{code="201",component="apiserver",dry_run="",group="authentication.k8s.io",resource="tokenreviews",scope="cluster",subresource="",verb="POST",version="v1"} 1234
apiserver_request_total{code="200",component="apiserver",dry_run="",group="portcullis.dev",resource="egresspolicies",scope="namespace",subresource="",verb="LIST",version="v1alpha1"} 40
apiserver_request_total{code="200",component="apiserver",dry_run="",group="portcullis.dev",resource="egresspolicies",scope="namespace",subresource="",verb="WATCH",version="v1alpha1"} 7
apiserver_request_total{code="200",component="apiserver",dry_run="",group="portcullis.dev",resource="credentialsources",scope="namespace",subresource="",verb="WATCH",version="v1alpha1"} 5
apiserver_longrunning_requests{component="apiserver",group="portcullis.dev",resource="egresspolicies",scope="namespace",subresource="",verb="WATCH",version="v1alpha1"} 200
process_resident_memory_bytes 4.1234e+08
weird_label{msg="a \\"quoted\\" value, with a comma"} 1
`;

describe('parseMetrics and sumOf', () => {
  const samples = parseMetrics(TEXT);

  it('reads every sample line and skips comments', () => {
    expect(samples).toHaveLength(7);
    expect(samples.find((s) => s.name === 'process_resident_memory_bytes')?.value).toBe(412_340_000);
  });

  it('sums the samples whose labels match, any of several values for one label', () => {
    expect(sumOf(samples, 'apiserver_request_total', { resource: 'tokenreviews', verb: ['POST', 'CREATE'] })).toBe(1234);
    expect(sumOf(samples, 'apiserver_request_total', { group: 'portcullis.dev', verb: 'WATCH' })).toBe(12);
    expect(sumOf(samples, 'apiserver_request_total')).toBe(1234 + 40 + 7 + 5);
  });

  it('counts a missing metric or label as zero, not as a match', () => {
    expect(sumOf(samples, 'apiserver_request_total', { verb: 'DELETE' })).toBe(0);
    expect(sumOf(samples, 'process_resident_memory_bytes', { component: 'apiserver' })).toBe(0);
  });

  it('unescapes quoted label values', () => {
    expect(samples.find((s) => s.name === 'weird_label')?.labels.msg).toBe('a "quoted" value, with a comma');
  });
});
