/**
 * Running checksums for the `x-amz-checksum-*` trailers of aws-chunked uploads. CRC64NVME is recognised
 * but not computed (no implementation in Node or the allowed packages); S3 still verifies it upstream.
 */
import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Crc32c } from '@aws-crypto/crc32c';

export type ChecksumAlgorithm = 'crc32' | 'crc32c' | 'crc64nvme' | 'sha1' | 'sha256';

const TRAILER_PREFIX = 'x-amz-checksum-';
const ALGORITHMS: ReadonlySet<string> = new Set<ChecksumAlgorithm>(['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256']);

/** `x-amz-checksum-crc32c` → `crc32c`; undefined for any other name. */
export function checksumAlgorithmOf(trailerName: string): ChecksumAlgorithm | undefined {
  if (!trailerName.startsWith(TRAILER_PREFIX)) return undefined;
  const algorithm = trailerName.slice(TRAILER_PREFIX.length);
  return ALGORITHMS.has(algorithm) ? (algorithm as ChecksumAlgorithm) : undefined;
}

export interface RunningChecksum {
  update(data: Uint8Array): void;
  /** The checksum as S3 writes it in the trailer: base64 of the big-endian bytes. */
  digestBase64(): string;
}

function uint32Base64(value: number): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out.toString('base64');
}

class Crc32Checksum implements RunningChecksum {
  private value = 0;
  update(data: Uint8Array): void {
    this.value = crc32(data, this.value);
  }
  digestBase64(): string {
    return uint32Base64(this.value);
  }
}

class Crc32cChecksum implements RunningChecksum {
  private readonly crc = new Crc32c();
  update(data: Uint8Array): void {
    this.crc.update(data);
  }
  digestBase64(): string {
    return uint32Base64(this.crc.digest());
  }
}

class HashChecksum implements RunningChecksum {
  private readonly hash: Hash;
  constructor(algorithm: 'sha1' | 'sha256') {
    this.hash = createHash(algorithm);
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  digestBase64(): string {
    return this.hash.digest('base64');
  }
}

/** A running checksum for `algorithm`, or undefined when Portcullis cannot compute it (crc64nvme). */
export function createChecksum(algorithm: ChecksumAlgorithm): RunningChecksum | undefined {
  switch (algorithm) {
    case 'crc32':
      return new Crc32Checksum();
    case 'crc32c':
      return new Crc32cChecksum();
    case 'sha1':
    case 'sha256':
      return new HashChecksum(algorithm);
    case 'crc64nvme':
      return undefined;
  }
}
