/**
 * The public name of the stackview-style viewers (`./viewers/`): `tessera.widgets.slice(img)`,
 * and the module notebooks import as `tessera/widgets` (`tessera/dist/src/widgets` still works for older notebooks). Not to be confused with `jupyter/ipywidgets.ts` (the widget message protocol
 * these viewers are built on) or the browser package `@tessera/widgets` (their views).
 * @packageDocumentation
 */
export * from './viewers';
