import { Ajv } from 'ajv';
import { AJV_OPTIONS, CRD_FORMATS } from './ajv-options.js';
import { toAjvSchema } from './to-ajv.js';
import type { SchemaCompiler } from './validate-resource.js';

/**
 * ajv's compiler for schemas that have no precompiled validator (tests; `createResourceValidator(schemas,
 * ajvSchemaCompiler())`): one Ajv instance, made on first use, with the options the precompiled ones were
 * generated with.
 */
export function ajvSchemaCompiler(): SchemaCompiler {
  let ajv: Ajv | undefined;
  return (entry) => (ajv ??= new Ajv({ ...AJV_OPTIONS, formats: CRD_FORMATS })).compile(toAjvSchema(entry.schema));
}
