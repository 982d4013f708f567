/** Files and lazy arrays: Zarr (v2 and v3, local and HTTP), OME-Zarr, TIFF stacks. */
export { LazyArray, type Selection, type ReadOptions } from './lazy-array';
export { ChunkGrid, type Box } from '../plan/box';
export {
  openZarr, createZarr, ZarrArray,
  type OpenZarrOptions, type CreateZarrOptions, type WriteOptions, type ZarrCodecName,
} from './zarr';
export { WriteLog } from './write-log';
export { setIoThreads, ioThreads, type IoThreadOptions } from './codec-pool';
export {
  openOmeZarr, createOmeZarr, writeOmeZarr, OmeZarrImage,
  type OmeAxis, type OmeLevel, type NgffVersion, type OpenOmeZarrOptions, type OmeZarrOptions, type WriteOmeZarrOptions,
  type ImageData, type Downsample,
} from './ome-zarr';
export { openTiff, TiffArray, type OpenTiffOptions } from './tiff';
