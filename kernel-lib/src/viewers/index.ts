/**
 * The viewers: image widgets for TypeScript notebooks in the Tessera kernel, after stackview: `insight`,
 * `slice`, `orthogonal`, `curtain`, `sideBySide`, `switchImages`, `picker`, `animate`,
 * `histogram`, `labelOverlay`, `interact`, `annotate`, `scatterplot`/`clusterplot`/`sliceplot`,
 * `grid`, `blend`, `crop`, `zoom`, `displayRange`, `imshow`, `addText`, `addBoundingBoxes`,
 * `animateCurtain`/`animateBlend`; `toMultiscale` writes pyramids the viewers read by level
 * (docs/stackview-mapping.md maps every stackview function). Data stays in the kernel: the views (`@tessera/widgets` in
 * JupyterLab, installed with the `tessera_jupyter` extension) ask for the planes they show,
 * which are cut and converted to 8 bits on the GPU.
 *
 * ```ts
 * import * as tessera from 'tessera';
 * const stack = tessera.push(pixels, [64, 512, 512]);
 * await tessera.widgets.insight(stack);
 * const viewer = await tessera.widgets.slice(stack, { colormap: 'viridis' });
 * viewer.index; // the slider's position
 * ```
 * Images may be GPU images, `{ data, shape }` host pixels or lazy {@link ImageSource}s such as
 * `openZarr` arrays. Users reach this module as `tessera.widgets` (../widgets.ts). Built on the
 * widget protocol of ../jupyter/ipywidgets.ts. See docs/widgets.md for the design and the messages.
 * @packageDocumentation
 */
export {
  slice, orthogonal, curtain, labelOverlay, sideBySide, switchImages, picker, histogram, animate,
  blend, zoom, displayRange, crop, CropWidget, grid, animateCurtain, animateBlend,
} from './views';
export type {
  CurtainOptions, LabelOverlayOptions, SideBySideOptions, AnimateOptions, BlendOptions, ZoomOptions, GridTile, AnimateTransitionOptions,
} from './views';
export { interact, InteractWidget, type Interactive, type InteractOptions } from './interact';
export { annotate, AnnotateWidget, type AnnotateOptions } from './annotate';
export { scatterplot, clusterplot, sliceplot, PlotWidget, type ColumnTable, type PlotOptions, type ClusterplotOptions, type SliceplotOptions } from './plot';
export { imshow, addText, addBoundingBoxes, textBitmap, type ImshowOptions, type AddTextOptions, type BoundingBox, type BoundingBoxOptions, type TextPosition } from './figure';
export { toMultiscale, type ToMultiscaleOptions } from './multiscale';
export { multiscaleOf, type Multiscale, type MultiscaleOptions } from './source';
export { insight, InsightWidget, type InsightOptions } from './insight';
export { ImageWidget, type ViewerOptions } from './viewer';
export type { ImageSource, HostArray, ImageInput, LayerPlane } from './source';
export { COLORMAPS, colormapLut, type ColormapName, type Lut } from './colormaps';
export { renderPlane, planeOf, type PlaneSpec, type PlaneRequest, type Conversion, type RenderedPlane, type RenderPlaneOptions } from './render-plane';
export { encodePng, encodeRgbaPng, encodeApng, pngDataUrl, type IndexedImage, type RgbaImage, type AnimationOptions } from './encode/png';
export { encodeGif } from './encode/gif';
export { WIDGETS_MODULE, WIDGETS_MODULE_VERSION, VIEW_MIME_TYPE } from './protocol';
export type * from './protocol';

// The default rich display of GPU images and Zarr arrays in the Tessera kernel: an insight view.
import { GpuImage } from '../array/gpu-image';
import { ZarrArray } from '../io/zarr';
import { RICH_DISPLAY } from '../jupyter/display';
import { insight as showInsight } from './insight';
for (const type of [GpuImage, ZarrArray]) {
  Object.defineProperty(type.prototype, RICH_DISPLAY, {
    value(this: GpuImage | ZarrArray) {
      return showInsight(this);
    },
  });
}

// Method comparisons (ops/compare) show their interpretation and Vega-Lite plots, one output each.
import { MeasurementComparison, MethodComparison } from '../ops/compare';
import { displayMimeBundle } from '../jupyter/display';
for (const type of [MethodComparison, MeasurementComparison]) {
  Object.defineProperty(type.prototype, RICH_DISPLAY, {
    value(this: MethodComparison | MeasurementComparison) {
      for (const bundle of this.mimeBundles()) displayMimeBundle(bundle);
    },
  });
}
