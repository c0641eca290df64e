import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TObject, TSchema } from '@sinclair/typebox';

/**
 * A route's query schema, checked by us rather than by Elysia. Elysia would parse and validate the
 * query on every request, hits included; a cached key can only exist after its query passed this
 * check on the miss that filled it, so checking before every upstream fetch is enough.
 */
export class QuerySchema {
  private readonly check: TypeCheck<TSchema>;

  constructor(readonly schema: TObject) {
    this.check = TypeCompiler.Compile(schema);
  }

  /** null when valid, else a message naming the parameter (never echoing its value). */
  problem(params: Readonly<Record<string, string>>): { message: string; expected?: string } | null {
    if (this.check.Check(params)) return null;
    const first = this.check.Errors(params).First();
    const name = first?.path.replace(/^\//, '').split('/')[0] ?? '';
    const expected = (first?.schema as { description?: string } | undefined)?.description;
    return { message: name ? `Invalid query parameter '${name}'` : 'Invalid query', ...(expected ? { expected } : {}) };
  }
}
