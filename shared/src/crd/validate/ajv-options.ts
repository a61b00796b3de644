import type { FormatDefinition, Options } from 'ajv';

/**
 * How ajv checks our CRD schemas, both when validators are compiled at run time (custom schemas) and when
 * they are precompiled into validators.generated.ts: every error (the API server reports them all),
 * defaults applied, the offending data in each error (schema-errors.ts words messages from it), and
 * non-JSON-Schema keywords such as `nullable` left to to-ajv.ts.
 */
export const AJV_OPTIONS = { allErrors: true, useDefaults: true, strict: false, verbose: true } as const satisfies Options;

/** RFC 3339 date-time, the one string format our CRDs use (status.conditions[].lastTransitionTime). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The formats to-ajv.ts lets through, by name; the precompiled validators import this object. */
export const CRD_FORMATS: Readonly<Record<string, FormatDefinition<string>>> = {
  'date-time': { type: 'string', validate: (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)) },
};
