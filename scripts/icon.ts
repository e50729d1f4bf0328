// Draws the bundle's icon (a person on a shield, on a blue tile) as a 512×512 PNG, so no image comes from elsewhere: node dist/scripts/icon.js.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { ROOT } from "./registry-render.js";

/** Where the committed icon lives; the bundle script copies it into the .mcpb. */
export const ICON = join(ROOT, "assets", "icon.png");
/** Claude Desktop recommends 512×512; the shapes below are drawn on a 256-unit grid and scaled. */
const SIZE = 512;
const SCALE = 256 / SIZE;
type Rgba = [number, number, number, number];
const TILE: Rgba = [0x1f, 0x4e, 0x9c, 255];
const SHIELD: Rgba = [0xff, 0xff, 0xff, 255];
const PERSON: Rgba = [0x1f, 0x4e, 0x9c, 255];
const CLEAR: Rgba = [0, 0, 0, 0];

/** Signed distance to a rounded square of half-size h and corner radius r, centred at (c, c). */
function roundedSquare(x: number, y: number, c: number, h: number, r: number): number {
  const dx = Math.max(Math.abs(x - c) - (h - r), 0);
  const dy = Math.max(Math.abs(y - c) - (h - r), 0);
  return Math.hypot(dx, dy) - r;
}

/** Inside a shield: straight top, sides that curve in to a point at the bottom. */
function inShield(x: number, y: number): boolean {
  const top = 52;
  const bottom = 214;
  const half = 78;
  if (y < top || y > bottom) return false;
  const t = (y - top) / (bottom - top);
  const width = t < 0.45 ? half : half * Math.cos(((t - 0.45) / 0.55) * (Math.PI / 2));
  return Math.abs(x - 128) <= width;
}

function inPerson(x: number, y: number): boolean {
  const head = Math.hypot(x - 128, y - 98) <= 24;
  // Shoulders: the top half of an ellipse, cut flat at the bottom.
  const body = y >= 130 && y <= 176 && ((x - 128) / 48) ** 2 + ((y - 176) / 46) ** 2 <= 1;
  return head || body;
}

/** Colour of one pixel, 4×4 supersampled so the edges are smooth. */
function pixel(px: number, py: number): Rgba {
  const acc = [0, 0, 0, 0];
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const x = (px + (sx + 0.5) / 4) * SCALE;
      const y = (py + (sy + 0.5) / 4) * SCALE;
      const colour =
        roundedSquare(x, y, 128, 124, 44) > 0 ? CLEAR : inPerson(x, y) ? PERSON : inShield(x, y) ? SHIELD : TILE;
      for (let i = 0; i < 4; i++) acc[i]! += colour[i]! * (i === 3 ? 1 : colour[3] / 255);
    }
  }
  const alpha = acc[3]! / 16;
  return alpha === 0
    ? CLEAR
    : [
        Math.round((acc[0]! / 16) * (255 / alpha)),
        Math.round((acc[1]! / 16) * (255 / alpha)),
        Math.round((acc[2]! / 16) * (255 / alpha)),
        Math.round(alpha),
      ];
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function drawIcon(): Buffer {
  const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
  for (let y = 0; y < SIZE; y++) {
    raw[y * (SIZE * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < SIZE; x++) Buffer.from(pixel(x, y)).copy(raw, y * (SIZE * 4 + 1) + 1 + x * 4);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"))) {
  writeFileSync(ICON, drawIcon());
  process.stdout.write(`${ICON} written.\n`);
}
