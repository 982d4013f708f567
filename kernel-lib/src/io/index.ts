/** Files and lazy arrays: Zarr (v2 and v3) on the local filesystem. */
export { openZarr, createZarr, ZarrArray, type OpenZarrOptions, type CreateZarrOptions } from './zarr';
