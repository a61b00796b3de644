// The aws resolver lives in @portcullis/shared (sources/aws/resolve.ts) beside resolveSource(), which the
// webhook's Ready condition also calls. These aliases keep the old names for importers other engineers
// own (sources/aws-source.ts, store/aws-runtime.ts). TODO(issue 11): import from @portcullis/shared there
// and delete this file.
export type {
  ResolvedAwsSource,
  ResolvedStaticKeys as StaticKeyCredentials,
  ResolvedWebIdentity as WebIdentityCredentials,
} from '@portcullis/shared';
