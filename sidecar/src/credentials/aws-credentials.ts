import type { AwsCredentials } from '@portcullis/shared';

/** Where an aws source gets the real credentials it signs with. */
export interface AwsCredentialProvider {
  /** The current credentials; rejects with CREDENTIAL_UNAVAILABLE when they cannot be had. */
  get(): Promise<AwsCredentials>;
  /** Who the calls run as, for audit lines (role and STS session name); never a secret. */
  readonly principal: Readonly<Record<string, string>>;
  close(): void;
}
