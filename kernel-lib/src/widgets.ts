/**
 * The public name of the stackview-style viewers (`./viewers/`): `tessera.widgets.slice(img)`,
 * and the module notebooks import as `tessera/dist/src/widgets` (kept so that existing notebooks
 * keep working). Not to be confused with `jupyter/ipywidgets.ts` (the widget message protocol
 * these viewers are built on) or the browser package `@tessera/widgets` (their views).
 * @packageDocumentation
 */
export * from './viewers';
