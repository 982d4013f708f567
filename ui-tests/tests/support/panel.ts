/**
 * Screenshots of the GPU panel for docs/ (gpu-panel.spec.ts, hub.spec.ts): a wide panel in a tall
 * window, clipped to the panel's content.
 */
import type { Page } from '@playwright/test';

/** Screenshot of the panel's content (not the empty sidebar below it). */
export async function panelScreenshot(page: Page, file: string): Promise<void> {
  const panel = page.locator('#tessera-gpu-panel');
  const box = (await panel.boundingBox())!;
  const height = await panel.evaluate((el) => Array.from(el.children).reduce((sum, c) => sum + (c as HTMLElement).offsetHeight, 0));
  await page.screenshot({ path: file, clip: { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, height + 4) } });
}

/** Widens the right sidebar (drags its splitter) and makes the window tall, for screenshots of the whole panel. */
export async function widenPanel(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1400, height: 1500 });
  const handle = page.locator('#jp-main-split-panel > .lm-SplitPanel-handle:not(.lm-mod-hidden)').last();
  const box = (await handle.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 300);
  await page.mouse.down();
  await page.mouse.move(box.x - 180, box.y + 300, { steps: 5 });
  await page.mouse.up();
}
