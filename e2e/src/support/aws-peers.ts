// AWS peers for the SigV4 e2e tests: MinIO (S3; checks aws-chunked chunk signatures and trailing
// checksums) and moto (IAM, STS, DynamoDB, SQS, ... with signature checking on), plus boto3 and the
// AWS CLI v1 from the project's venv. Installed and cached by e2e/scripts/install-peers.sh.
export { startMinio, type Minio, type MinioOptions } from './minio.js';
export {
  ALLOW_ALL,
  startMoto,
  type Moto,
  type MotoOptions,
  type MotoRole,
  type MotoUser,
  type PolicyDocument,
  type PolicyStatement,
} from './moto.js';
export {
  awsEnv,
  peerTools,
  runVenv,
  venvBin,
  type AwsCredentials,
  type AwsEnvOptions,
  type PeerTools,
  type VenvResult,
} from './aws-peers-tools.js';
