/**
 * public/: the favicon, app icons, robots.txt, web manifest and Open Graph image exist and parse, and the root
 * layout's metadata points at them (the e2e spec e2e/api/public-assets.spec.ts checks they are served).
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PUBLIC = path.join(ROOT, "public");
const read = (file: string) => fs.readFileSync(path.join(PUBLIC, file));

/** Width and height from a PNG's IHDR chunk (after the 8-byte signature and the chunk's length and type). */
function pngSize(buf: Buffer): { width: number; height: number } {
  expect(buf.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  expect(buf.subarray(12, 16).toString("ascii")).toBe("IHDR");
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

describe("public/", () => {
  it("favicon.ico is an icon directory of 16, 32 and 48 px images", () => {
    const ico = read("favicon.ico");
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1); // icon
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const entry = 6 + 16 * i;
      const [length, offset] = [ico.readUInt32LE(entry + 8), ico.readUInt32LE(entry + 12)];
      const image = ico.subarray(offset, offset + length);
      const { width, height } = pngSize(image);
      expect(width).toBe(ico.readUInt8(entry));
      expect(height).toBe(width);
      sizes.push(width);
    }
    expect(sizes).toEqual([16, 32, 48]);
  });

  it("the app icons and the Open Graph image have their sizes", () => {
    expect(pngSize(read("apple-touch-icon.png"))).toEqual({ width: 180, height: 180 });
    expect(pngSize(read("icon-192.png"))).toEqual({ width: 192, height: 192 });
    expect(pngSize(read("icon-512.png"))).toEqual({ width: 512, height: 512 });
    expect(pngSize(read("og-image.png"))).toEqual({ width: 1200, height: 630 });
  });

  it("the manifest is JSON whose icons exist at their declared sizes", () => {
    const manifest = JSON.parse(read("site.webmanifest").toString("utf8")) as { name: string; short_name: string; start_url: string; display: string; theme_color: string; background_color: string; icons: { src: string; sizes: string; type: string }[] };
    expect(manifest).toMatchObject({ short_name: "Tradsy", start_url: "/", display: "standalone", theme_color: "#0f766e" });
    expect(manifest.name).toMatch(/Tradsy/);
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.icons.length).toBeGreaterThanOrEqual(2);
    for (const icon of manifest.icons) {
      // /icon.svg is the app router's icon file (src/app/icon.svg); the others are in public/.
      const file = icon.src === "/icon.svg" ? path.join(ROOT, "src/app/icon.svg") : path.join(PUBLIC, icon.src);
      expect(fs.existsSync(file), icon.src).toBe(true);
      if (icon.type === "image/png") {
        const { width, height } = pngSize(fs.readFileSync(file));
        expect(`${width}x${height}`).toBe(icon.sizes);
      }
    }
    expect(manifest.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(["192x192", "512x512"]));
  });

  it("robots.txt lets crawlers read the marketing pages and keeps them out of accounts, admin and the API", () => {
    const robots = read("robots.txt").toString("utf8");
    const rules = robots.split("\n").filter((l) => l && !l.startsWith("#"));
    expect(rules[0]).toBe("User-agent: *");
    expect(rules).toContain("Allow: /");
    for (const p of ["/admin", "/api/", "/settings", "/dashboard", "/copy"]) expect(rules).toContain(`Disallow: ${p}`);
    expect(rules).not.toContain("Disallow: /");
    // No sitemap is generated, so none is announced.
    expect(robots).not.toMatch(/^Sitemap:/m);
  });
});

describe("root layout metadata", () => {
  it("names the Open Graph image, the X card, the manifest and the icons, with an absolute base", async () => {
    vi.doMock("next/headers", () => ({ headers: async () => new Headers({ host: "localhost:3000" }) }));
    const { generateMetadata } = await import("./layout");
    const m = await generateMetadata();
    expect(m.metadataBase).toBeInstanceOf(URL);
    const images = m.openGraph?.images as { url: string; width: number; height: number }[];
    expect(images[0]).toMatchObject({ url: "/og-image.png", width: 1200, height: 630 });
    expect(fs.existsSync(path.join(PUBLIC, images[0]!.url))).toBe(true);
    expect(m.twitter).toMatchObject({ card: "summary_large_image", images: ["/og-image.png"] });
    expect(m.manifest).toBe("/site.webmanifest");
    expect(JSON.stringify(m.icons)).toContain("/favicon.ico");
    expect(JSON.stringify(m.icons)).toContain("/apple-touch-icon.png");
  });
});
