// The app side of the demo: official SDKs pointed at the sidecar, holding only placeholder keys.
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import OpenAI from 'openai';
import { PLACEHOLDER_CREDENTIAL } from '@portcullis/shared';
import { BUCKET } from './world.js';
import { denied, heading, ok } from './print.js';

export async function openaiCalls(client: OpenAI): Promise<void> {
  heading('The app, part 1: the openai SDK with OPENAI_BASE_URL on the sidecar and a placeholder key');
  const completion = await client.chat.completions.create({ model: 'gpt-demo', messages: [{ role: 'user', content: 'hello' }] });
  ok(`allowed: POST /v1/chat/completions → "${completion.choices[0]?.message.content ?? ''}"`);
  await client.models.list().then(
    () => denied('models.list() unexpectedly succeeded'),
    (err: unknown) => denied(`denied: GET /v1/models → the SDK raises ${(err as Error).constructor.name}: ${(err as Error).message}`),
  );
}

export function openaiClient(port: number): OpenAI {
  return new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: PLACEHOLDER_CREDENTIAL, maxRetries: 0 });
}

export async function s3Calls(port: number, region: string): Promise<void> {
  heading('The app, part 2: the AWS SDK v3 with AWS_ENDPOINT_URL on the sidecar and placeholder keys');
  const s3 = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId: PLACEHOLDER_CREDENTIAL, secretAccessKey: PLACEHOLDER_CREDENTIAL },
    maxAttempts: 1,
  });
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  ok(`allowed: s3:ListBucket on ${BUCKET} → ${(listed.Contents ?? []).map((o) => o.Key).join(', ')}`);
  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'q3/summary.txt' }));
  ok(`allowed: s3:GetObject q3/summary.txt → "${(await got.Body?.transformToString())?.trim() ?? ''}" (re-signed with keys the app never saw)`);
  await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'q3/summary.txt' })).then(
    () => denied('DeleteObject unexpectedly succeeded'),
    (err: unknown) => denied(`denied: s3:DeleteObject → the SDK raises ${(err as Error).name}: ${(err as Error).message}`),
  );
  s3.destroy();
}
