import { expect, test } from "@playwright/test";
import { hydrated, logIn, signUp } from "./helpers";

// The library: many pictures at once from the Generate page.
test.describe.serial("library", () => {
  test("a permutation batch: previewed with its count and price, then one task per prompt, grouped", async ({ page }) => {
    await signUp(page, "Lena Batch", "lena@example.com");
    await page.getByLabel("Relax").check();
    await page.getByRole("button", { name: "Options" }).click();
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

  test("collecting from history: a new collection from a tile, another tile put in it, its page", async ({ page }) => {
    await logIn(page, "lena@example.com");
    await page.goto("/history");
    await hydrated(page);
    const items = page.getByTestId("history-item");
    await items.nth(0).getByTestId("collect").click();
    const menu = items.nth(0).getByTestId("collect-menu");
    await menu.getByLabel("Name of a new collection").fill("Rooftops");
    await menu.getByRole("button", { name: "Add" }).click();
    await expect(menu.getByRole("checkbox", { name: "Rooftops" })).toBeChecked();
    await items.nth(2).getByTestId("collect").click();
    const other = items.nth(2).getByTestId("collect-menu");
    const saved = page.waitForResponse((r) => r.url().includes("set_in_collection") && r.ok());
    await other.getByRole("checkbox", { name: "Rooftops" }).check();
    await saved;
    // Escape closes the menu.
    await page.keyboard.press("Escape");
    await expect(other).toHaveCount(0);
    await page.getByRole("link", { name: "Collections" }).click();
    const card = page.getByTestId("collection");
    await expect(card).toHaveCount(1);
    await expect(card).toContainText("Rooftops");
    await expect(card).toContainText("2 pictures");
    await card.getByRole("link").click();
    await expect(page).toHaveURL(/collection=/);
    await expect(page.getByTestId("collection-header")).toContainText("Rooftops");
    await expect(page.getByTestId("history-item")).toHaveCount(2);
    await expect(page.getByTestId("history-item").first()).toContainText("a dog on a roof");
    await expect(page.getByTestId("history-item").nth(1)).toContainText("a lighthouse");
  });

  test("selecting with shift-click and the keyboard, a ZIP of the selection, a bulk delete", async ({ page }) => {
    await logIn(page, "lena@example.com");
    await page.goto("/history");
    await hydrated(page);
    const items = page.getByTestId("history-item");
    await expect(items).toHaveCount(3);
    await items.nth(0).getByTestId("select").click();
    await items.nth(2).getByTestId("select").click({ modifiers: ["Shift"] });
    await expect(page.getByTestId("selected-count")).toHaveText("3 selected");
    // The keyboard: Space takes the middle one out, Shift+Space a range back in.
    await items.nth(1).getByTestId("select").focus();
    await page.keyboard.press("Space");
    await expect(page.getByTestId("selected-count")).toHaveText("2 selected");
    await expect(items.nth(1)).toHaveAttribute("data-selected", "false");
    await items.nth(0).getByTestId("select").focus();
    await page.keyboard.press("Shift+Space");
    await expect(page.getByTestId("selected-count")).toHaveText("1 selected");
    await expect(items.nth(0)).toHaveAttribute("data-selected", "false");
    await expect(items.nth(2)).toHaveAttribute("data-selected", "true");
    await page.getByRole("button", { name: "Select all on this page" }).click();
    await expect(page.getByTestId("selected-count")).toHaveText("3 selected");
    // The link the page offers, fetched with the page's session (headless Chromium here cancels
    // downloads it is not set up to keep).
    const link = page.getByTestId("bulk-zip");
    await expect(link).toHaveAttribute("download", "");
    const res = await page.request.get((await link.getAttribute("href"))!);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-disposition"]).toMatch(/^attachment; filename="atelier-.*\.zip"$/);
    const bytes = await res.body();
    expect(bytes.subarray(0, 2).toString()).toBe("PK");
    const text = bytes.toString("latin1");
    expect(text).toContain("manifest.json");
    expect(text).toContain("a-lighthouse");
    expect(text).toContain("a-cat-on-a-roof");
    expect(text).toContain("a-dog-on-a-roof");
    // Delete one, after a confirm.
    await page.getByRole("button", { name: "Clear selection" }).click();
    await items.nth(1).getByTestId("select").check();
    await page.getByTestId("bulk-bar").getByRole("button", { name: "Delete" }).click();
    await expect(page.getByRole("alertdialog")).toContainText("Delete this task and its pictures?");
    await page.getByTestId("bulk-delete-confirm").click();
    await expect(page.getByTestId("bulk-message")).toHaveText("Done for 1.");
    await expect(items).toHaveCount(2);
    await expect(page.getByText("a cat on a roof")).toHaveCount(0);
  });

  test("a starter template with its blanks filled, saved as one's own, and a recent prompt", async ({ page }) => {
    await logIn(page, "lena@example.com");
    await hydrated(page);
    await page.getByRole("button", { name: "Templates" }).click();
    const templates = page.getByTestId("templates");
    await templates.getByRole("combobox", { name: "Template", exact: true }).selectOption({ label: "Product shot · 产品图" });
    const blanks = templates.getByTestId("template-blanks");
    await blanks.getByLabel("product").fill("a teapot");
    await blanks.getByLabel("surface").fill("marble");
    await templates.getByRole("button", { name: "Use template" }).click();
    const box = page.getByLabel("Prompt", { exact: true });
    await expect(box).toHaveValue(/^a teapot on a marble surface, studio product photography/);
    await expect(box).toBeFocused();
    // The form as it is, kept as the user's own.
    await templates.getByRole("button", { name: "Save as template" }).click();
    await templates.getByLabel("Template name").fill("Teapots");
    await templates.getByRole("button", { name: "Save", exact: true }).click();
    await expect(templates.getByTestId("template-message")).toHaveText("Saved as a template.");
    await expect(templates.getByRole("combobox", { name: "Template", exact: true }).locator("optgroup").first()).toContainText("Teapots");
    // A recent prompt, one click away.
    await box.fill("");
    await templates.getByText("Recent prompts").click();
    await templates.getByTestId("recent-prompts").getByRole("button", { name: "a dog on a roof" }).click();
    await expect(box).toHaveValue("a dog on a roof");
  });

  test("history narrowed by mode and days from its search form", async ({ page }) => {
    await logIn(page, "lena@example.com");
    await page.goto("/history");
    await hydrated(page);
    await page.getByTestId("mode-filter").selectOption("fast");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(/mode=fast/);
    await expect(page.getByTestId("history-item")).toHaveCount(0);
    await page.getByTestId("mode-filter").selectOption("relax");
    const today = new Date().toISOString().slice(0, 10);
    await page.getByLabel("From").fill(today);
    await page.getByLabel("To", { exact: true }).fill(today);
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(new RegExp(`mode=relax.*from=${today}`));
    await expect(page.getByTestId("history-item")).toHaveCount(2);
  });
});
