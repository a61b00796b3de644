import type { CredentialSource, EgressPolicy, EgressPolicyRule, HttpSource } from '@portcullis/shared';

export function httpSource(name: string, port: number, http: HttpSource): CredentialSource {
  return { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name, namespace: 'team-a' }, spec: { type: 'http', port, http } };
}

export function policy(name: string, rules: EgressPolicyRule[], opts: { mode?: 'Enforce' | 'Audit'; serviceAccounts?: string[] } = {}): EgressPolicy {
  return {
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'EgressPolicy',
    metadata: { name, namespace: 'team-a' },
    spec: { mode: opts.mode ?? 'Enforce', workloads: { serviceAccounts: opts.serviceAccounts ?? ['agent'] }, rules },
  };
}

export function awsSource(name: string, port: number, aws: NonNullable<CredentialSource['spec']['aws']>): CredentialSource {
  return { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name, namespace: 'team-a' }, spec: { type: 'aws', port, aws } };
}
