import { expect, test, type Page } from "@playwright/test";
import { hydrated, logIn } from "./helpers";

// Screenshots of what users judge first (Generate, History, the viewer, a task's page) at a
// laptop's width and a phone's, in English and Chinese: written to test-results/screens/ for
// people to look at (nothing is compared).
const sam = "studio-sam@example.com";
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const LANGS = { en: "en", zh: "zh-CN" } as const;

async function shoot(page: Page, name: string) {
  await page.waitForLoadState("networkidle").catch(() => {});
  await page.screenshot({ path: `test-results/screens/${name}.png` });
  console.log(`screenshot: end2end/test-results/screens/${name}.png`);
}

for (const [size, viewport] of Object.entries(SIZES)) {
  for (const [lang, cookie] of Object.entries(LANGS)) {
    test(`screens: ${size}, ${lang}`, async ({ page, context, baseURL }) => {
      await page.setViewportSize(viewport);
      await logIn(page, sam);
      await context.addCookies([{ name: "lang", value: cookie, url: baseURL! }]);
      await page.goto("/");
      await hydrated(page);
      await shoot(page, `generate-${size}-${lang}`);
      const done = page.locator("[data-testid=task-card][data-status=succeeded]").filter({ has: page.getByTestId("task-image") });
      await done.first().getByTestId("task-image").first().scrollIntoViewIfNeeded();
      await shoot(page, `feed-${size}-${lang}`);
      await done.first().locator("button[aria-label]").first().focus();
      await page.keyboard.press("Enter");
      await expect(page.getByRole("dialog")).toBeVisible();
      await shoot(page, `viewer-${size}-${lang}`);
      await page.keyboard.press("Escape");
      await page.goto("/history");
      await hydrated(page);
      await shoot(page, `history-${size}-${lang}`);
      const task = await page.locator("[data-testid=history-item] a[href^='/history/']").first().getAttribute("href");
      await page.goto(task!);
      await hydrated(page);
      await shoot(page, `task-${size}-${lang}`);
    });
  }
}
