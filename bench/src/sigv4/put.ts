// A plain (not aws-chunked) S3 PutObject signed as an SDK does over TLS: x-amz-content-sha256
// UNSIGNED-PAYLOAD, so the app need not hash 1 GiB before sending. A re-signing proxy may hash it itself
// (aws-sigv4-proxy does, after reading the whole body into memory).
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '@portcullis/shared';
import { REGION, type AwsKeys } from './sign.ts';

export async function signedPutObject(keys: AwsKeys, port: number, objectKey: string, totalBytes: number, now: Date): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials: keys, region: REGION, service: 's3', sha256: NodeSha256, applyChecksum: false, uriEscapePath: false });
  const request = new HttpRequest({
    method: 'PUT',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: `/bench/${objectKey}`,
    headers: {
      host: `127.0.0.1:${port}`,
      'content-length': String(totalBytes),
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'content-type': 'application/octet-stream',
    },
  });
  return (await signer.sign(request, { signingDate: now })).headers;
}
