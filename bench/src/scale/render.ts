// Re-renders a scale result's Markdown (and its fitted curves) from its JSON, after a change to the
// report's format: `node bench/src/scale/render.ts bench/results/scale-<date>.json` rewrites the .json's
// curves and the .md beside it. The measured steps are not touched.
import { readFileSync, writeFileSync } from 'node:fs';
import { curves, summary, type ScaleResult } from './report.ts';

const file = process.argv[2];
if (!file?.endsWith('.json')) throw new Error('usage: render.ts bench/results/scale-<date>.json');
const old = JSON.parse(readFileSync(file, 'utf8')) as ScaleResult;
const result: ScaleResult = { ...old, curves: curves(old.steps) };
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(file.replace(/\.json$/, '.md'), `${summary(result)}\n`);
process.stdout.write(`${summary(result)}\n`);
