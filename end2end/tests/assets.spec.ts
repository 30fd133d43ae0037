import { expect, test } from "@playwright/test";

// The release build names the site's code by content hash, so browsers may keep it for a year;
// a new release has new names, so nobody runs stale code.
test("the site's code has hashed names, comes compressed and is cached for a year", async ({ page, request }) => {
  await page.goto("/login");
  const hrefs = await page
    .locator('link[rel="modulepreload"], link[rel="preload"], link[rel="stylesheet"]')
    .evaluateAll((links) => links.map((l) => l.getAttribute("href") ?? ""));
  for (const ext of ["js", "wasm", "css"]) {
    const href = hrefs.find((h) => h.endsWith(`.${ext}`) && h.includes("/pkg/atelier."));
    expect(href, `a ${ext} link in ${hrefs.join(", ")}`).toMatch(
      new RegExp(`^/pkg/atelier\\.[A-Za-z0-9_-]{22}\\.${ext}$`),
    );
    const res = await request.get(href!, { headers: { "accept-encoding": "br" } });
    expect(res.status()).toBe(200);
    expect(res.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(res.headers()["content-encoding"]).toBe("br");
  }
  // A file that keeps its name across releases is checked each time.
  const icon = await request.get("/favicon.svg");
  expect(icon.status()).toBe(200);
  expect(icon.headers()["cache-control"] ?? "").not.toContain("immutable");
});
