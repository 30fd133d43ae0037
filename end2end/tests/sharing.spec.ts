import { expect, test } from "@playwright/test";
import { hydrated, logIn, signUp } from "./helpers";

// Showing pictures to others: a share link, the gallery, its likes and comments.
test.describe.serial("sharing", () => {
  let taskPath = "";

  test("a share link opened in a signed-out browser, then revoked", async ({ page, browser }) => {
    await signUp(page, "Sam Share", "sam@example.com");
    await page.getByLabel("Relax").check();
    await page.getByLabel("Prompt", { exact: true }).fill("a lighthouse at dusk, watercolour");
    await page.getByRole("button", { name: "Generate" }).click();
    const card = page.getByTestId("task-card").first();
    await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
    await page.goto("/history");
    await hydrated(page);
    await page.getByTestId("history-item").first().getByTestId("tile-what").click();
    await expect(page.getByTestId("task-prompt")).toHaveText("a lighthouse at dusk, watercolour");
    taskPath = new URL(page.url()).pathname;
    await hydrated(page);
    await page.getByTestId("share-create").click();
    const link = page.getByTestId("share-link");
    await expect(link).toHaveValue(/\/s\/[0-9a-f]{32}$/);
    const url = await link.inputValue();

    // Another browser, signed out: the picture, its prompt and its author, and a preview.
    const stranger = await browser.newContext();
    const visitor = await stranger.newPage();
    await visitor.goto(url);
    await expect(visitor.getByTestId("public-prompt")).toHaveText("a lighthouse at dusk, watercolour");
    await expect(visitor.getByTestId("public-author")).toContainText("Sam Share");
    await expect(visitor.getByTestId("public-image")).toBeVisible();
    await expect(visitor.locator('meta[property="og:image"]')).toHaveAttribute("content", /\/s\/[0-9a-f]{32}\/image\/0$/);
    await expect(visitor.getByText("sam@example.com")).toHaveCount(0);

    // Revoked: the link no longer opens.
    await page.getByTestId("share-revoke").click();
    await expect(page.getByTestId("share-create")).toBeVisible();
    await visitor.reload();
    await expect(visitor.getByTestId("share-missing")).toBeVisible();
    await expect(visitor.getByTestId("public-image")).toHaveCount(0);
    await stranger.close();
  });

  test("published to the gallery, liked and commented on by another user", async ({ page, browser }) => {
    await logIn(page, "sam@example.com");
    await page.goto(taskPath);
    await hydrated(page);
    await page.getByTestId("publish").click();
    await expect(page.getByTestId("publish")).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByRole("link", { name: "Open in the gallery" })).toBeVisible();

    const other = await browser.newContext();
    const viewer = await other.newPage();
    await signUp(viewer, "Vi Viewer", "vi@example.com");
    await viewer.getByRole("link", { name: "Gallery", exact: true }).click();
    await expect(viewer).toHaveURL(/\/gallery$/);
    const tile = viewer.getByTestId("gallery-tile").first();
    await expect(tile).toContainText("a lighthouse at dusk, watercolour");
    // Its picture opens in the viewer, with a way to its page; its words lead there at once.
    await hydrated(viewer);
    await tile.getByRole("img").click();
    const frame = viewer.getByRole("dialog", { name: "Picture viewer" });
    await expect(frame.getByRole("link", { name: "Details" })).toBeVisible();
    await viewer.keyboard.press("Escape");
    await expect(frame).toHaveCount(0);
    await tile.locator('a[href^="/gallery/"]').last().click();
    await expect(viewer.getByTestId("public-prompt")).toHaveText("a lighthouse at dusk, watercolour");
    await hydrated(viewer);
    const liked = viewer.waitForResponse((r) => r.url().includes("set_like") && r.ok());
    await viewer.getByTestId("like").click();
    await liked;
    await expect(viewer.getByTestId("like")).toHaveAttribute("aria-pressed", "true");
    await expect(viewer.getByTestId("like-count")).toHaveText("1");
    await viewer.getByLabel("Your comment").fill("Lovely colours <3");
    await viewer.getByRole("button", { name: "Send comment" }).click();
    await expect(viewer.getByTestId("comment-body")).toHaveText(["Lovely colours <3"]);
    // Kept: after a reload, from the server's render.
    await viewer.reload();
    await expect(viewer.getByTestId("comment-body")).toHaveText(["Lovely colours <3"]);
    await expect(viewer.getByTestId("like-count")).toHaveText("1");
    // Its author deletes it again, from the keyboard.
    await hydrated(viewer);
    await viewer.getByTestId("delete-comment").focus();
    await viewer.keyboard.press("Enter");
    await expect(viewer.getByTestId("comment")).toHaveCount(0);
    await other.close();
  });

  test("the gallery at phone width, in Chinese", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto("/gallery");
    await hydrated(page);
    // At a phone's width the language is in the menu.
    await page.getByRole("button", { name: "Menu" }).click();
    await page.getByRole("button", { name: "简体中文" }).click();
    await expect(page.getByRole("heading", { name: "作品广场" })).toBeVisible();
    await expect(page.getByTestId("gallery-tile")).toHaveCount(1);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
  });
});
