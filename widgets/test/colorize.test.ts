/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colorize, histogramBars, overlay, rgba, rgbaLut } from '../src/render/colorize.js';

/** Colormaps applied in the browser: lookup, overlays with alpha, label outlines and the curtain. */
const grey = rgbaLut(new Uint8Array(768).map((_, i) => Math.floor(i / 3)));
const red = rgbaLut(new Uint8Array(768).map((_, i) => (i % 3 === 0 ? 255 : 0)));

test('lookup tables become opaque RGBA words in ImageData byte order', () => {
  assert.equal(grey[0], rgba(0, 0, 0));
  assert.equal(grey[200], rgba(200, 200, 200));
  const bytes = new Uint8Array(new Uint32Array([rgba(1, 2, 3, 4)]).buffer);
  assert.deepEqual([...bytes], [1, 2, 3, 4]);
  const out = new Uint32Array(3);
  colorize(out, new Uint8Array([0, 128, 255]), grey);
  assert.deepEqual([...out], [grey[0], grey[128], grey[255]]);
});

test('overlays blend with alpha, skip label 0 and stop at the curtain', () => {
  const out = new Uint32Array(4).fill(rgba(100, 100, 100));
  overlay(out, 4, 1, { codes: new Uint8Array([0, 5, 5, 5]), lut: red, alpha: 0.5, labels: true, outline: false }, 3);
  assert.equal(out[0], rgba(100, 100, 100), 'background label stays');
  assert.equal(out[1], rgba(177, 50, 50), 'half red over grey');
  assert.equal(out[3], rgba(100, 100, 100), 'right of the curtain stays');
});

test('outlines keep only pixels at label boundaries', () => {
  // A 4x4 plane with a 3x3 label in the corner: its inner pixel (1, 1) is not on the boundary.
  const codes = new Uint8Array([7, 7, 7, 0, 7, 7, 7, 0, 7, 7, 7, 0, 0, 0, 0, 0]);
  const out = new Uint32Array(16);
  overlay(out, 4, 4, { codes, lut: red, alpha: 1, labels: true, outline: true });
  const drawn = [...out].map((v) => (v === 0 ? '.' : '#')).join('');
  assert.equal(drawn, '###.#.#.###.....');
});

test('histogram bars are log-scaled to 0..1', () => {
  const bars = histogramBars([0, 1, 1000]);
  assert.equal(bars[0], 0);
  assert.equal(bars[2], 1);
  assert.ok(bars[1] > 0.05 && bars[1] < 0.2);
});
