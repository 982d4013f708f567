/**
 * Uniform blocks for kernels that build their own WGSL (separable passes, iterative
 * morphology): a list of named fields becomes the `Params` struct and its bytes.
 * vec4 fields come first, so every field sits at its natural alignment.
 */
export type UniformType = 'u32' | 'i32' | 'f32' | 'vec4<u32>' | 'vec4<i32>' | 'vec4<f32>';

export interface UniformField {
  name: string;
  type: UniformType;
  value: number | readonly number[];
}

export interface UniformBlock {
  /** `struct Params { ... }` */
  struct: string;
  bytes: ArrayBuffer;
}

export function uniformBlock(fields: readonly UniformField[]): UniformBlock {
  const vecs = fields.filter((f) => f.type.startsWith('vec4'));
  const scalars = fields.filter((f) => !f.type.startsWith('vec4'));
  const ordered = [...vecs, ...scalars];
  const size = Math.max(16, Math.ceil((vecs.length * 16 + scalars.length * 4) / 16) * 16);
  const bytes = new ArrayBuffer(size);
  const view = new DataView(bytes);
  let offset = 0;
  const put = (type: string, v: number) => {
    if (type === 'f32') view.setFloat32(offset, v, true);
    else if (type === 'i32') view.setInt32(offset, v, true);
    else view.setUint32(offset, v, true);
    offset += 4;
  };
  for (const f of ordered) {
    if (f.type.startsWith('vec4')) {
      const e = f.type.slice(5, 8);
      const vals = f.value as readonly number[];
      for (let k = 0; k < 4; k++) put(e, vals[k] ?? 0);
    } else {
      put(f.type, f.value as number);
    }
  }
  const struct = `struct Params {\n${ordered.map((f) => `  ${f.name}: ${f.type},`).join('\n')}\n}`;
  return { struct, bytes };
}
