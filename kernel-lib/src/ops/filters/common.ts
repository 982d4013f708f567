/** Shared helpers of the neighbourhood filters (their argument checks are in validate/filters.ts). */

/** Number of pixels of a box of these radii. */
export const boxCount = (r: readonly number[]): number => r.reduce((s, e) => s * (2 * e + 1), 1);
