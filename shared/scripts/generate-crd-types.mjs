#!/usr/bin/env node
// Writes shared/src/crd/types.generated.ts and schemas.generated.ts from crds/*.yaml. Needs Node 24 (type
// stripping): run it as `npm run -w @portcullis/shared generate`, which uses the repo's node_modules/.bin/node.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generateCrdSchemas } from '../src/crd/generate-schemas.ts';
import { generateCrdTypes, readCrd } from '../src/crd/generate-types.ts';

const crdDir = fileURLToPath(new URL('../../crds/', import.meta.url));
const typesFile = fileURLToPath(new URL('../src/crd/types.generated.ts', import.meta.url));
const schemasFile = fileURLToPath(new URL('../src/crd/schemas.generated.ts', import.meta.url));

const files = (await readdir(crdDir)).filter((name) => name.endsWith('.yaml')).sort();
const texts = await Promise.all(files.map((name) => readFile(crdDir + name, 'utf8')));
await writeFile(typesFile, await generateCrdTypes(texts));
await writeFile(schemasFile, generateCrdSchemas(texts.map(readCrd)));
console.log(`wrote ${typesFile} and ${schemasFile} from ${files.length} CRDs`);
