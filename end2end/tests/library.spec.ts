import { expect, test } from "@playwright/test";
import { hydrated, logIn, signUp } from "./helpers";

// The library: many pictures at once from the Generate page.
test.describe.serial("library", () => {
  test("a permutation batch: previewed with its count and price, then one task per prompt, grouped", async ({ page }) => {
    await signUp(page, "Lena Batch", "lena@example.com");
    await page.getByLabel("Relax").check();
    await page.getByTestId("batch").check();
    await page.getByLabel("Prompt", { exact: true }).fill("a {red, blue} fox in {snow, rain}");
    const preview = page.getByTestId("batch-preview");
    await expect(preview).toContainText("Makes 4 tasks");
    await expect(preview.getByRole("listitem")).toHaveText([
      "a red fox in snow",
      "a red fox in rain",
      "a blue fox in snow",
      "a blue fox in rain",
    ]);
    // Braces that do not pair: said, and nothing can be sent.
    await page.getByLabel("Prompt", { exact: true }).fill("a {red, blue fox");
    await expect(page.getByTestId("generate-reason")).toContainText("Each { needs its }");
    await expect(page.getByRole("button", { name: "Generate" })).toBeDisabled();
    // Two lines, one with a group: three tasks.
    await page.getByLabel("Prompt", { exact: true }).fill("a lighthouse\na {cat, dog} on a roof");
    await expect(preview).toContainText("Makes 3 tasks");
    await page.getByRole("button", { name: "Generate" }).click();
    const badges = page.getByTestId("batch-badge");
    await expect(badges).toHaveText(["Batch · 1 of 3", "Batch · 2 of 3", "Batch · 3 of 3"]);
    await expect(page.getByTestId("task-card").getByTestId("task-prompt")).toHaveText([
      "a lighthouse",
      "a cat on a roof",
      "a dog on a roof",
    ]);
    for (const card of await page.getByTestId("task-card").all()) {
      await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
    }
  });

  test("a star from history, and the favourites filter", async ({ page }) => {
    await logIn(page, "lena@example.com");
    await page.goto("/history");
    await hydrated(page);
    const items = page.getByTestId("history-item");
    await expect(items).toHaveCount(3);
    const saved = page.waitForResponse((r) => r.url().includes("favorite") && r.ok());
    await items.nth(1).getByTestId("star").click();
    await saved;
    await expect(items.nth(1).getByTestId("star")).toHaveAttribute("aria-pressed", "true");
    await page.getByTestId("favorite-filter").click();
    await expect(page).toHaveURL(/favorite=1/);
    await expect(page.getByTestId("history-item")).toHaveCount(1);
    await expect(page.getByTestId("history-item").first()).toContainText("a cat on a roof");
    await expect(page.getByTestId("history-item").first().getByTestId("star")).toHaveAttribute("aria-pressed", "true");
  });
});
