// The shape of a Kubernetes structural schema (the subset our CRDs use), as schemas.generated.ts holds it.

/** One `x-kubernetes-validations` entry: a CEL rule and how the API server reports its failure. */
export interface ValidationRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  /** Relative JSONPath-like field (e.g. `.http`) the failure is reported on. */
  readonly fieldPath?: string;
  /** FieldValueInvalid (default), FieldValueRequired, FieldValueForbidden or FieldValueDuplicate. */
  readonly reason?: string;
}

export type StructuralType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

export interface StructuralSchema {
  readonly type?: StructuralType;
  readonly properties?: Readonly<Record<string, StructuralSchema>>;
  readonly additionalProperties?: StructuralSchema | boolean;
  readonly items?: StructuralSchema;
  readonly required?: readonly string[];
  readonly enum?: readonly (string | number | boolean)[];
  readonly default?: unknown;
  readonly format?: string;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly maxProperties?: number;
  readonly nullable?: boolean;
  readonly 'x-kubernetes-validations'?: readonly ValidationRule[];
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly 'x-kubernetes-map-type'?: 'atomic' | 'granular';
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/** The storage version's schema of one kind. */
export interface KindSchema {
  readonly apiVersion: string;
  readonly schema: StructuralSchema;
}

export type CrdSchemas = Readonly<Record<'CredentialSource' | 'EgressPolicy', KindSchema>>;
