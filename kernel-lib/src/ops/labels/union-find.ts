/**
 * WGSL union-find over an array of parent indices (`array<atomic<u32>>`), after Playne & Hawick
 * ("A new algorithm for parallel connected-component labelling on GPUs", 2018): every parent
 * index is at most its own index, `find` follows parents to the root (the smallest index of the
 * set), and `union` links the larger of two roots to the smaller with atomicMin, retrying from
 * the displaced parent when another invocation linked the root first. As parents only ever
 * decrease, no cycle can form and every loop ends; the root of a set is its smallest index.
 * @internal
 */
export function unionFind(prefix: string, array: string): string {
  return `fn ${prefix}find(start: u32) -> u32 {
  var x = start;
  loop {
    let p = atomicLoad(&${array}[x]);
    if (p == x) { return x; }
    x = p;
  }
}
fn ${prefix}union(a0: u32, b0: u32) {
  var a = ${prefix}find(a0);
  var b = ${prefix}find(b0);
  loop {
    if (a == b) { return; }
    if (a < b) { let t = a; a = b; b = t; }
    // a > b: make b the parent of a, if a is still a root.
    let old = atomicMin(&${array}[a], b);
    if (old == a) { return; }
    a = ${prefix}find(old);
    b = ${prefix}find(b);
  }
}`;
}
