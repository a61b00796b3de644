#!/usr/bin/env node
// Writes shared/src/crd/types.generated.ts from crds/*.yaml. Needs Node 24 (type stripping):
// run it as `npm run -w @portcullis/shared generate`, which uses the repo's node_modules/.bin/node.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generateCrdTypes } from '../src/crd/generate-types.ts';

const crdDir = fileURLToPath(new URL('../../crds/', import.meta.url));
const target = fileURLToPath(new URL('../src/crd/types.generated.ts', import.meta.url));

const files = (await readdir(crdDir)).filter((name) => name.endsWith('.yaml')).sort();
const texts = await Promise.all(files.map((name) => readFile(crdDir + name, 'utf8')));
await writeFile(target, await generateCrdTypes(texts));
console.log(`wrote ${target} from ${files.length} CRDs`);
