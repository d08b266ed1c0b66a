/**
 * public/ on the production build (issue 18): robots.txt, the favicon and the web manifest are served with their
 * content types and without a sign-in redirect, and the home page's Open Graph image is named in its metadata by an
 * absolute URL that answers with the PNG.
 */
import { expect, test } from "../fixtures";

const SLOW = { timeout: 60_000 };
test.describe.configure({ timeout: 180_000 });

test("robots.txt, favicon.ico and site.webmanifest are served with their content types", async ({ request }) => {
  const robots = await request.get("/robots.txt", { ...SLOW, maxRedirects: 0 });
  expect(robots.status()).toBe(200);
  expect(robots.headers()["content-type"]).toMatch(/^text\/plain/);
  expect(await robots.text()).toContain("Disallow: /admin");

  const favicon = await request.get("/favicon.ico", { ...SLOW, maxRedirects: 0 });
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()["content-type"]).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
  expect((await favicon.body()).readUInt16LE(2)).toBe(1); // an icon directory

  const manifest = await request.get("/site.webmanifest", { ...SLOW, maxRedirects: 0 });
  expect(manifest.status()).toBe(200);
  expect(manifest.headers()["content-type"]).toMatch(/^application\/manifest\+json/);
  const json = (await manifest.json()) as { short_name: string; icons: { src: string }[] };
  expect(json.short_name).toBe("Tradsy");
  for (const icon of json.icons) {
    const res = await request.get(icon.src, { ...SLOW, maxRedirects: 0 });
    expect(res.status(), icon.src).toBe(200);
    expect(res.headers()["content-type"], icon.src).toMatch(/^image\//);
  }
});

test("the home page names its Open Graph image, which is served", async ({ request }) => {
  const home = await request.get("/", SLOW);
  expect(home.status()).toBe(200);
  const html = await home.text();
  const og = /<meta property="og:image" content="([^"]+)"/.exec(html)?.[1];
  expect(og, "og:image in the home page").toBeTruthy();
  expect(og).toMatch(/^https?:\/\/[^/]+\/og-image\.png$/);
  expect(html).toMatch(/<meta name="twitter:card" content="summary_large_image"/);
  expect(html).toMatch(/<link rel="manifest" href="\/site\.webmanifest"/);
  const image = await request.get(new URL(og!).pathname, SLOW);
  expect(image.status()).toBe(200);
  expect(image.headers()["content-type"]).toBe("image/png");
});
