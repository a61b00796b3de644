import type { AwsCredentials } from '@portcullis/shared';
import type { Origin } from '../origin.js';
import type { SecretFile } from '../secret-file/secret-file.js';

/**
 * Long-lived keys from the source's Secret volume (one file per key, kept current by the kubelet and
 * re-read by SecretFile). `get()` never touches the disk.
 */
export class StaticKeyCredentials implements Origin<AwsCredentials> {
  readonly principal: Readonly<Record<string, string>> = { credentials: 'staticKeys' };

  constructor(
    private readonly accessKeyId: SecretFile,
    private readonly secretAccessKey: SecretFile,
    private readonly sessionToken: SecretFile | undefined,
  ) {}

  // async: a missing key file (CREDENTIAL_UNAVAILABLE from SecretFile) becomes a rejection.
  // eslint-disable-next-line @typescript-eslint/require-await
  async get(): Promise<AwsCredentials> {
    const keys = { accessKeyId: this.accessKeyId.get(), secretAccessKey: this.secretAccessKey.get() };
    return this.sessionToken ? { ...keys, sessionToken: this.sessionToken.get() } : keys;
  }

  problem(): string | undefined {
    return this.accessKeyId.problem() ?? this.secretAccessKey.problem() ?? this.sessionToken?.problem();
  }

  close(): void {
    this.accessKeyId.close();
    this.secretAccessKey.close();
    this.sessionToken?.close();
  }
}
