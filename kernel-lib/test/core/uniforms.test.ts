import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { setup } from '../support/gpu';

/**
 * The uniform arena writes only the words that changed since the last submit (gpu/commands.ts).
 * A repeated call must see the same parameters, and a changed one its new parameters, whether the
 * change is in the first slot, a later one, or a batch that is shorter or longer than the last.
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

test('parameters reach the GPU when they repeat, change, and when batches grow and shrink', async () => {
  const a = t.push(new Float32Array([1, 2, 3]));
  const scalars = [1, 1, 2, 2, 1, 5, 5, 5];
  for (const s of scalars) assert.deepEqual([...(await t.pull(t.addImageAndScalar(a, s))).data], [1 + s, 2 + s, 3 + s], `scalar ${s}`);
  // Batches of several operations, each changing one slot out of several, then a shorter batch.
  for (const batch of [[1, 2, 3], [1, 2, 4], [7, 2, 4], [7], [7, 8, 9, 10], [3]]) {
    const out = batch.map((s) => t.multiplyImageAndScalar(a, s));
    for (const [k, img] of out.entries()) assert.deepEqual([...(await t.pull(img)).data], [batch[k], 2 * batch[k], 3 * batch[k]], `batch ${batch}, ${k}`);
  }
  // Other shapes change the size fields of the same slot.
  for (const n of [5, 3, 8, 3]) {
    const b = t.push(Float32Array.from({ length: n }, (_, i) => i));
    assert.deepEqual([...(await t.pull(t.addImageAndScalar(b, 10))).data], Array.from({ length: n }, (_, i) => i + 10), `length ${n}`);
  }
});
