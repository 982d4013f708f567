/**
 * Jupyter integration for kernel code: comms, widget models, rich display, and the signal that
 * kernel interrupts abort. Safe to import outside a kernel (no zeromq); the kernel itself is in
 * ./kernel.
 */
export * from './comms';
export * from './display';
export * from './ipywidgets';
export { interruptSignal, interruptible, InterruptedError } from '../abort';
