// The app of the e2e node's Job (bundled into the e2e-app image, see app/Dockerfile): it knows nothing of
// Portcullis and holds no credential. The AWS SDK and the openai SDK configure themselves from the
// variables the webhook injected (AWS_ENDPOINT_URL, placeholder AWS keys, AWS_REGION, OPENAI_BASE_URL,
// placeholder OPENAI_API_KEY); only the bucket and object names come from the Job spec.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import OpenAI from 'openai';

async function main(): Promise<void> {
  const bucket = process.env.E2E_BUCKET ?? 'e2e';
  const key = process.env.E2E_KEY ?? 'from-pod.txt';
  const body = `written by ${process.env.HOSTNAME ?? 'a pod'} through its proxy`;
  // Path-style addressing: the endpoint is the proxy on 127.0.0.1, which no bucket name can be a subdomain of.
  const s3 = new S3Client({ forcePathStyle: true });
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const read = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString();
  const openai = new OpenAI();
  const chat = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello from a pod' }] });
  console.log(
    JSON.stringify({
      s3: { wrote: body, read },
      chat: chat.choices[0]?.message.content,
      // Names only: which configuration the app got (the values are placeholders or local URLs).
      env: Object.keys(process.env).filter((n) => /^(AWS_|OPENAI_|PORTCULLIS_)/.test(n)).sort(),
    }),
  );
}

main().catch((err: unknown) => {
  console.error(`e2e app failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  process.exit(1);
});
