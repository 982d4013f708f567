/// <reference types="node" />
/**
 * The browser-side logic of the interactive views that needs no DOM: region requests of the
 * plane canvas (what a pan or zoom asks for, and when a held region already covers the view),
 * and the plot's lasso and axis ranges. The views themselves are driven in a real JupyterLab by
 * ui-tests/tests/interactive.spec.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { covers, requestRegion } from '../src/render/plane-canvas.js';
import { axisRange, insidePolygon } from '../src/render/plot-geometry.js';

test('a view asks for its visible region with a margin, snapped to a grid, inside the plane', () => {
  const region = requestRegion([1000, 1000, 256, 256], 2048, 2048, 1);
  assert.deepEqual(region, [832, 832, 576, 576]);
  assert.ok(covers(region, [1000, 1000, 256, 256]));
  assert.ok(covers(region, [1100, 1000, 256, 256]), 'a small pan stays inside: no request');
  assert.ok(!covers(region, [1300, 1000, 256, 256]), 'a larger one needs a new region');
  assert.deepEqual(requestRegion([0, 0, 100, 50], 120, 80, 2), [0, 0, 120, 80], 'clipped to the plane');
});

test('lasso: points inside a polygon, and axis ranges with a margin', () => {
  const square = [0, 0, 10, 0, 10, 10, 0, 10];
  assert.equal(insidePolygon(5, 5, square), true);
  assert.equal(insidePolygon(15, 5, square), false);
  const triangle = [0, 0, 10, 0, 0, 10];
  assert.equal(insidePolygon(2, 2, triangle), true);
  assert.equal(insidePolygon(8, 8, triangle), false);
  assert.deepEqual(axisRange(new Float32Array([0, 10, NaN])), [-0.5, 10.5]);
  assert.deepEqual(axisRange(new Float32Array([3, 3])), [2.85, 3.15]);
});
