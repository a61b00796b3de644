// API coordinates of the Portcullis custom resources. constants.test.ts checks them against crds/*.yaml.

export const GROUP = 'portcullis.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}` as const;

export const CREDENTIAL_SOURCE_KIND = 'CredentialSource';
export const CREDENTIAL_SOURCE_PLURAL = 'credentialsources';
export const CREDENTIAL_SOURCE_SHORT_NAME = 'csrc';

export const EGRESS_POLICY_KIND = 'EgressPolicy';
export const EGRESS_POLICY_PLURAL = 'egresspolicies';
export const EGRESS_POLICY_SHORT_NAME = 'egp';

/** The `kubectl get <category>` name that lists both kinds. */
export const CATEGORY = 'portcullis';

/** The condition type both kinds report in status.conditions. */
export const READY_CONDITION = 'Ready';
