import { expect, test, type Page } from "@playwright/test";
import { ADMIN, PASSWORD, hydrated, logIn, signUp } from "./helpers";

// The studio as people first see it: at a phone's width and at a laptop's.
const sam = { name: "Sam Studio", email: "studio-sam@example.com" };
const PHONE = { width: 390, height: 844 };

/** How far the page scrolls sideways (0: not at all). */
async function sideways(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test.describe.serial("the studio", () => {
  test("a first visit: the empty feed offers example prompts that fill the bar", async ({ page }) => {
    await signUp(page, sam.name, sam.email);
    const feed = page.getByTestId("empty-feed");
    await expect(feed).toBeVisible();
    const example = feed.getByRole("button").first();
    const text = (await example.innerText()).trim();
    await example.click();
    await expect(page.getByLabel("Prompt", { exact: true })).toHaveValue(text);
    await expect(page.getByLabel("Prompt", { exact: true })).toBeFocused();
  });

  test("at 1280x800 the prompt and Generate are in the first screen", async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await logIn(page, sam.email);
    await hydrated(page);
    await expect(page.getByLabel("Prompt", { exact: true })).toBeInViewport({ ratio: 1 });
    await expect(page.getByRole("button", { name: "Generate" })).toBeInViewport({ ratio: 1 });
  });

  test("on a phone: no signed-in page scrolls sideways", async ({ page }) => {
    await page.setViewportSize(PHONE);
    await logIn(page, ADMIN.email);
    for (const path of [
      "/",
      "/history",
      "/collections",
      "/gallery",
      "/account",
      "/admin",
      "/admin/channels",
      "/admin/users",
      "/admin/engines",
      "/admin/invites",
      "/admin/overview",
    ]) {
      await page.goto(path);
      await hydrated(page);
      expect(await sideways(page), `${path} scrolls sideways`).toBe(0);
    }
  });

  test("on a phone: the menu holds the navigation, and after Generate the new result is on screen", async ({ page }) => {
    await page.setViewportSize(PHONE);
    await logIn(page, sam.email);
    await hydrated(page);
    // The bar's links are folded into the menu.
    await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(0);
    await page.getByRole("button", { name: "Menu" }).click();
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link", { name: "History" })).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(nav).toHaveCount(0);

    // Enough pictures that a new one would start below the screen without scrolling.
    for (let i = 0; i < 3; i++) {
      await page.getByLabel("Prompt", { exact: true }).fill(`a paper boat number ${i}`);
      await page.getByRole("button", { name: "Generate" }).click();
      await expect(page.getByTestId("task-card")).toHaveCount(i + 1);
    }
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.getByLabel("Prompt", { exact: true }).fill("a paper boat on a puddle");
    await page.getByRole("button", { name: "Generate" }).click();
    const fresh = page.getByTestId("task-card").filter({ hasText: "a paper boat on a puddle" });
    await expect(fresh).toBeInViewport({ timeout: 2_000 });
    expect(await sideways(page)).toBe(0);
  });

  test("the viewer: full screen, holds the focus, moves with the arrow keys, closes on Escape", async ({ page }) => {
    await logIn(page, sam.email);
    await hydrated(page);
    // Two finished grids at least (the paper boats of the test before).
    const done = page.locator("[data-testid=task-card][data-status=succeeded]").filter({ has: page.getByTestId("task-image") });
    await expect.poll(() => done.count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
    // And none still running: a card finishing meanwhile would change the viewer's count.
    const unfinished = page.locator(["queued", "submitted", "in_progress"].map((s) => `[data-testid=task-card][data-status=${s}]`).join(", "));
    await expect(unfinished).toHaveCount(0, { timeout: 60_000 });
    // From the keyboard: the picture's button (a pointer clicks its quadrants, below).
    // Pinned by its task: a newer card that finishes meanwhile would otherwise become `done.first()`.
    const openerId = await done.first().getAttribute("data-task-id");
    const opener = page.locator(`[data-testid=task-card][data-task-id="${openerId}"]`).getByRole("button", { name: "Open large" });
    await opener.focus();
    await page.keyboard.press("Enter");
    const viewer = page.getByRole("dialog", { name: "Picture viewer" });
    await expect(viewer).toBeVisible();
    await expect(viewer.getByRole("button", { name: "Close the viewer" })).toBeFocused();
    const counter = viewer.getByTestId("viewer-counter");
    const total = Number((await counter.innerText()).split("/")[1].trim());
    expect(total).toBeGreaterThanOrEqual(2);
    await expect(counter).toHaveText(`1 / ${total}`);
    const firstSrc = await viewer.getByTestId("viewer-image").getAttribute("src");
    await page.keyboard.press("ArrowRight");
    await expect(counter).toHaveText(`2 / ${total}`);
    expect(await viewer.getByTestId("viewer-image").getAttribute("src")).not.toBe(firstSrc);
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    await expect(counter).toHaveText(`${total} / ${total}`);
    await page.keyboard.press("ArrowRight");
    await expect(counter).toHaveText(`1 / ${total}`);
    // Tab and Shift+Tab never leave it.
    for (const key of [...Array(12).fill("Tab"), ...Array(6).fill("Shift+Tab")]) {
      await page.keyboard.press(key);
      expect(await page.evaluate(() => !!document.activeElement?.closest("[data-testid=viewer]")), `focus after ${key}`).toBe(true);
    }
    // The page behind does not scroll while it is open.
    expect(await page.evaluate(() => getComputedStyle(document.body).overflow)).toBe("hidden");
    await viewer.getByRole("button", { name: "Zoom in" }).click();
    await expect(viewer.getByRole("button", { name: "Zoom out" })).toHaveAttribute("aria-pressed", "true");
    await page.keyboard.press("Escape");
    await expect(viewer).toHaveCount(0);
    await expect(opener).toBeFocused();

    // A follow-up from inside it: the viewer closes and the new card is on screen.
    const before = await page.getByTestId("task-card").count();
    await done.first().getByTestId("quadrant").nth(2).click();
    await expect(viewer).toBeVisible();
    await viewer.getByRole("button", { name: "Upscale picture 1, 2 credits" }).click();
    await expect(viewer).toHaveCount(0);
    await expect(page.getByTestId("task-card")).toHaveCount(before + 1);
    await expect(page.getByTestId("task-card").first()).toBeInViewport();

    // History opens its tiles in the same viewer; the task page its picture.
    await page.goto("/history");
    await hydrated(page);
    await page.locator("[data-testid=history-item] img").first().click();
    await expect(viewer).toBeVisible();
    await expect(viewer.getByRole("link", { name: "Details" })).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(viewer).toHaveCount(0);
    await expect(page).toHaveURL(/\/history$/);
  });

  test("a failed card says why, and its Retry makes a new task", async ({ page }) => {
    await logIn(page, sam.email);
    await page.getByLabel("Prompt", { exact: true }).fill("a gore fox");
    await page.getByLabel("Relax").check();
    await page.getByRole("button", { name: "Generate" }).click();
    const card = page.getByTestId("task-card").filter({ hasText: "a gore fox" }).first();
    await expect(card).toHaveAttribute("data-status", "failed", { timeout: 30_000 });
    const failedId = await card.getAttribute("data-task-id");
    const before = await page.getByTestId("task-card").count();
    await card.getByRole("button", { name: /Retry · 2 credits/ }).click();
    await expect(page.getByTestId("task-card")).toHaveCount(before + 1);
    const retried = page.getByTestId("task-card").first();
    expect(await retried.getAttribute("data-task-id")).not.toBe(failedId);
    await expect(retried.getByTestId("task-prompt")).toHaveText("a gore fox");
  });

  test("in Chinese, an upscale's card names its picture and no button stays English", async ({ page }) => {
    await logIn(page, sam.email);
    await page.getByRole("button", { name: "简体中文" }).click();
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    await hydrated(page);
    await page.getByLabel("提示词", { exact: true }).fill("a teacup on a windowsill");
    await page.getByLabel("慢速").check();
    await page.getByRole("button", { name: "生成", exact: true }).click();
    const grid = page.getByTestId("task-card").filter({ hasText: "a teacup on a windowsill" }).first();
    await expect(grid).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    const gridId = await grid.getAttribute("data-task-id");
    await grid.getByRole("button", { name: "放大第 1 张，2 积分" }).click();
    const child = page.locator(`[data-testid=task-card]:not([data-task-id="${gridId}"])`).first();
    await expect(child).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    await expect(child.getByTestId("task-action")).toHaveText(/第 1 张/);
    const labels = await child.getByRole("group").getByRole("button").allInnerTexts();
    expect(labels.length).toBeGreaterThan(4);
    for (const label of labels) expect(label, `an English label: ${label}`).not.toMatch(/[A-Za-z]{2,}/);
    // A failure reason Atelier gives reads in Chinese too.
    const failed = page.locator("[data-testid=task-card][data-status=failed]").first();
    await expect(failed.getByTestId("task-status")).toContainText("包含违禁词");
    // Back to English for the other tests of this account.
    await page.getByRole("button", { name: "English" }).click();
  });

  test("the controls a phone shows are big enough to tap", async ({ page }) => {
    await page.setViewportSize(PHONE);
    await logIn(page, sam.email);
    const small = await page.evaluate(() => {
      const found: string[] = [];
      for (const el of document.querySelectorAll("button, a[href], select, summary, input[type=checkbox], label:has(input[type=radio])")) {
        const r = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        if (r.width === 0 || r.height === 0 || style.visibility === "hidden") continue;
        // Inline links inside running text are exempt; the bars' controls are not.
        if (el.closest("[data-testid=prompt-bar], header") && (r.height < 44 || r.width < 44)) {
          found.push(`${el.tagName.toLowerCase()} "${(el.textContent ?? "").trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
        }
      }
      return found;
    });
    expect(small, small.join("\n")).toEqual([]);
  });
});

test("signing in keeps working at a phone's width", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(sam.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Generate" })).toBeVisible();
  expect(await sideways(page)).toBe(0);
});

test("no page logs an error to the console, signed out or in", async ({ page, browser }) => {
  const errors: string[] = [];
  const watch = (p: Page) => {
    p.on("console", (m) => {
      if (m.type() === "error") errors.push(`${p.url()}: ${m.text()}`);
    });
    p.on("pageerror", (e) => errors.push(`${p.url()}: ${e.message}`));
  };
  const visit = async (p: Page, paths: string[]) => {
    for (const path of paths) {
      await p.goto(path);
      await hydrated(p);
    }
  };
  const context = await browser.newContext();
  const visitor = await context.newPage();
  watch(visitor);
  await visit(visitor, ["/", "/login", "/signup", "/gallery"]);
  await context.close();

  watch(page);
  await logIn(page, sam.email);
  await visit(page, ["/", "/gallery", "/collections", "/account", "/history"]);
  const task = await page.getByTestId("history-item").first().locator("a[href^='/history/']").first().getAttribute("href");
  await visit(page, [task!]);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await logIn(page, ADMIN.email);
  await visit(page, ["/admin", "/admin/channels", "/admin/users", "/admin/engines", "/admin/invites", "/admin/overview"]);
  expect(errors, errors.join("\n")).toEqual([]);
});
