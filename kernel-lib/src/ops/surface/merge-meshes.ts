import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { runPixelProgram } from '../../codegen/program';
import { nonZero } from '../../codegen/snippets';
import { computeType } from '../../dtype';
import { checkImage, checkSameShape } from '../../validate/arguments';
import { defineOp, image } from '../op';

/**
 * The surface mesh, the sub-surface mesh and (optionally) the mesh between surface and
 * sub-surface cells in one float32 image with distinct values, drawn in that order (a later mesh
 * over an earlier one where lines cross): 1 where the surface mesh has a line, 2 the sub-surface
 * mesh, 3 the mesh between them, 0 elsewhere — the seed's merged picture, shown apart by a
 * colormap. A line pixel is any non-zero pixel of a mesh (meshes of one shape, any dtype).
 * Not in pyclesperanto; numpy: `np.select([b != 0, u != 0, s != 0], [3, 2, 1], 0)`.
 */
export const mergeMeshes = defineOp(
  { params: [image('surfaceMesh'), image('subSurfaceMesh'), image('betweenMesh', true)], output: 'float32', tiling: 'pointwise' },
  function mergeMeshes(surfaceMesh: GpuImage, subSurfaceMesh: GpuImage, betweenMesh?: GpuImage): GpuImage {
    const fn = 'mergeMeshes';
    const s = checkImage(surfaceMesh, `${fn}: surfaceMesh`);
    const u = checkImage(subSurfaceMesh, `${fn}: subSurfaceMesh`);
    checkSameShape(s, u, [`${fn}: surfaceMesh`, 'subSurfaceMesh']);
    const b = betweenMesh === undefined ? undefined : checkImage(betweenMesh, `${fn}: betweenMesh`);
    if (b) checkSameShape(s, b, [`${fn}: surfaceMesh`, 'betweenMesh']);
    const line = (name: string, img: GpuImage) => nonZero(computeType(img.dtype), `load_${name}(i)`);
    return runPixelProgram({
      op: fn,
      inputs: b ? { s, u, b } : { s, u },
      output: create(s.shape, 'float32'),
      computeType: 'f32',
      body: `${b ? `if (${line('b', b)}) { return 3.0; }\n  ` : ''}if (${line('u', u)}) { return 2.0; }
  return select(0.0, 1.0, ${line('s', s)});`,
    });
  },
);
