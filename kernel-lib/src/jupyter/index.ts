/**
 * Jupyter integration for kernel code: comms, widget models and rich display. Safe to import
 * outside a kernel (no zeromq); the kernel itself is in ./kernel.
 */
export * from './comms';
export * from './display';
export * from './ipywidgets';
