/**
 * Which GPU each local worker opens. WebGPU hands a process one adapter per preference and
 * several identical GPUs (4 × H200) share one name, so neither `requestAdapter` nor a name
 * match can tell them apart. Each worker therefore gets its own PCI address, and the Vulkan
 * loader's Mesa device-select layer (`VK_LAYER_MESA_device_select`, in Debian's
 * mesa-vulkan-drivers; it filters every vendor's devices, NVIDIA's included) shows that worker
 * only the GPU at that address: `DRI_PRIME=pci-dddd_bb_dd_f!` with
 * `MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE=1`. Under Slurm the allocation already hides
 * the other GPUs (cgroup device constraints), so this is for local workers only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const PCI_DEVICES = '/sys/bus/pci/devices';

/**
 * PCI addresses (`dddd:bb:dd.f`, sorted, which is nvidia-smi's and CUDA's PCI_BUS_ID order) of
 * this host's GPUs: display controllers of class 0x0300 (VGA) or 0x0302 (3D controller, the
 * class of data-centre GPUs). Empty where there are none (lavapipe) or /sys cannot be read.
 */
export function gpuPciAddresses(root = PCI_DEVICES): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((address) => {
      try {
        return /^0x030[02]/.test(readFileSync(join(root, address, 'class'), 'utf8').trim());
      } catch {
        return false;
      }
    })
    .sort();
}

/**
 * The environment for worker `index` of `workers` on a host with GPUs at `addresses`:
 * worker k takes GPU k mod (number of GPUs). Nothing is set with fewer than two GPUs, and a
 * user's own `DRI_PRIME` (one GPU chosen by hand for every worker) is kept.
 */
export function workerGpuEnv(index: number, addresses: readonly string[], env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (addresses.length < 2 || env.DRI_PRIME !== undefined) return {};
  const address = addresses[index % addresses.length];
  const m = /^([0-9a-f]{4,8}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(address);
  if (!m) return {};
  const domain = m[1].slice(-4);
  return {
    DRI_PRIME: `pci-${domain}_${m[2]}_${m[3]}_${m[4]}!`,
    MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: '1',
    TESSERA_GPU_PCI: address,
  };
}
