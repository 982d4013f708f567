import assert from 'node:assert/strict';

/**
 * Checks a Vega-Lite spec two ways, both from npm devDependencies pinned to the Vega-Lite 5 line
 * that JupyterLab 4 renders: against the JSON schema the `vega-lite` package ships
 * (build/vega-lite-schema.json, validated with ajv) and by compiling it to Vega with
 * vega-lite's own compiler (which also catches what the schema cannot: unknown fields in
 * encodings it resolves, inconsistent layers). The spec must also survive JSON unchanged (no
 * NaN or undefined), as it travels in a Jupyter message.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv = require('ajv') as new (o: object) => { compile(schema: object): ((x: unknown) => boolean) & { errors?: unknown[] } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const vl = require('vega-lite') as { version: string; compile(spec: unknown): { spec: unknown } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const schema = require('vega-lite/build/vega-lite-schema.json') as object;

const validate = new Ajv({ strict: false, allowUnionTypes: true, validateFormats: false }).compile(schema);

export const vegaLiteVersion = vl.version;

export function assertValidVegaLite(spec: unknown, what = 'spec'): void {
  assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec, `${what} does not survive JSON (NaN or undefined inside?)`);
  assert.ok(validate(spec), `${what} fails the Vega-Lite ${vl.version} schema: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  assert.doesNotThrow(() => vl.compile(spec), `${what} does not compile with vega-lite ${vl.version}`);
  assert.match(String((spec as { $schema?: string }).$schema), /vega-lite\/v5\.json$/, `${what} must name the Vega-Lite v5 schema`);
}
