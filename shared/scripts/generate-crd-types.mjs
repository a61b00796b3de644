#!/usr/bin/env node
// Writes shared/src/crd/types.generated.ts, schemas.generated.ts and validators.generated.ts from
// crds/*.yaml. Needs Node 24 (type stripping) and shared/dist (the validators come from ajv through
// to-ajv.ts, which type stripping cannot load): run it as `npm run -w @portcullis/shared generate`, which
// builds first and uses the repo's node_modules/.bin/node.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { crdSchemas, generateCrdSchemas } from '../src/crd/generate-schemas.ts';
import { generateCrdTypes, readCrd } from '../src/crd/generate-types.ts';
import { generateCrdValidators } from '../dist/crd/validate/generate-validators.js';

const crdDir = fileURLToPath(new URL('../../crds/', import.meta.url));
const typesFile = fileURLToPath(new URL('../src/crd/types.generated.ts', import.meta.url));
const schemasFile = fileURLToPath(new URL('../src/crd/schemas.generated.ts', import.meta.url));
const validatorsFile = fileURLToPath(new URL('../src/crd/validators.generated.ts', import.meta.url));

const files = (await readdir(crdDir)).filter((name) => name.endsWith('.yaml')).sort();
const texts = await Promise.all(files.map((name) => readFile(crdDir + name, 'utf8')));
const crds = texts.map(readCrd);
await writeFile(typesFile, await generateCrdTypes(texts));
await writeFile(schemasFile, generateCrdSchemas(crds));
await writeFile(validatorsFile, generateCrdValidators(crdSchemas(crds)));
console.log(`wrote ${typesFile}, ${schemasFile} and ${validatorsFile} from ${files.length} CRDs`);
