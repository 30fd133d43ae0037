import { expect, test, type Page } from "@playwright/test";
import { signUp } from "./helpers";

// Pictures into MidJourney from the Generate page, against the built-in simulator: paste one as
// an image prompt, blend two, describe one and imagine its second prompt, zoom out by a factor.
const RED =
  "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGN4JiJCEmIY1TCqYfhqAABdUg4Qd2gTGgAAAABJRU5ErkJggg==";
const BLUE =
  "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGMQEXlGEmIY1TCqYfhqAAC5NA4QuWW/BgAAAABJRU5ErkJggg==";

const file = (name: string, b64: string) => ({ name, mimeType: "image/png", buffer: Buffer.from(b64, "base64") });

/** The newest card whose id is not among `seen`. */
async function newCard(page: Page, seen: string[]) {
  const selector = seen.map((id) => `:not([data-task-id="${id}"])`).join("");
  const card = page.locator(`[data-testid=task-card]${selector}`).first();
  await expect(card).toBeVisible();
  return card;
}

test.describe.serial("images in", () => {
  test("a pasted picture is an image prompt of the task it goes with", async ({ page }) => {
    await signUp(page, "Iris Blend", "iris@example.com");
    await page.getByLabel("Prompt").click();
    await page.evaluate((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], "pasted.png", { type: "image/png" }));
      window.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true }));
    }, RED);
    await expect(page.getByTestId("given-image")).toHaveCount(1);
    await expect(page.getByLabel("Role of image 1")).toHaveValue("reference");
    await page.getByLabel("Prompt").fill("a fox like this");
    await page.getByLabel("Relax").check();
    await page.getByRole("button", { name: "Generate" }).click();
    const card = page.getByTestId("task-card").first();
    await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    await expect(card.getByRole("img", { name: "a fox like this" })).toBeVisible();
    // Removed, it goes with nothing.
    await page.getByRole("button", { name: "Remove image 1" }).click();
    await expect(page.getByTestId("given-image")).toHaveCount(0);
  });

  test("two pictures blended, in the shape chosen", async ({ page }) => {
    await signUp(page, "Iris Two", "iris2@example.com");
    await page.getByTestId("mj-action").getByLabel("Blend").check();
    await page.getByLabel("Relax").check();
    await expect(page.getByTestId("generate-reason")).toContainText("Give 2 to 5 pictures");
    await page.getByTestId("image-picker").setInputFiles([file("red.png", RED), file("blue.png", BLUE)]);
    await expect(page.getByTestId("given-image")).toHaveCount(2);
    await page.getByTestId("blend-dimensions").selectOption("landscape");
    await page.getByRole("button", { name: "Generate" }).click();
    const card = page.getByTestId("task-card").first();
    await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    await expect(card.getByTestId("task-prompt")).toHaveText("/blend");
    await expect(card.getByTestId("task-image")).toBeVisible();
  });

  test("a described picture's second prompt, imagined", async ({ page }) => {
    await signUp(page, "Iris Three", "iris3@example.com");
    await page.getByTestId("mj-action").getByLabel("Describe").check();
    await page.getByLabel("Relax").check();
    await page.getByTestId("image-picker").setInputFiles([file("blue.png", BLUE)]);
    await expect(page.getByTestId("given-image")).toHaveCount(1);
    await page.getByRole("button", { name: "Generate" }).click();
    const card = page.getByTestId("task-card").first();
    await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    const choices = card.getByTestId("task-prompt-choice");
    await expect(choices).toHaveCount(4);
    const second = ((await choices.nth(1).locator("p").textContent()) ?? "").replace(/^2\.\s*/, "");
    expect(second.length).toBeGreaterThan(5);
    // "Use this prompt" puts it in the box.
    await choices.nth(0).getByRole("button", { name: "Use this prompt" }).click();
    await expect(page.getByLabel("Prompt")).not.toHaveValue("");
    const describeId = (await card.getAttribute("data-task-id")) ?? "";
    await choices.nth(1).getByRole("button", { name: /Imagine prompt 2/ }).click();
    const child = await newCard(page, [describeId]);
    await expect(child.getByTestId("task-prompt")).toHaveText(second);
    await expect(child).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  });

  test("a custom zoom out by 1.8", async ({ page }) => {
    await signUp(page, "Iris Four", "iris4@example.com");
    await page.getByLabel("Prompt").fill("a lighthouse at night");
    await page.getByLabel("Relax").check();
    await page.getByRole("button", { name: "Generate" }).click();
    const grid = page.getByTestId("task-card").first();
    await expect(grid).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    const gridId = (await grid.getAttribute("data-task-id")) ?? "";
    await grid.getByRole("button", { name: /^Upscale picture 1/ }).click();
    const up = await newCard(page, [gridId]);
    await expect(up).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    const upId = (await up.getAttribute("data-task-id")) ?? "";
    await up.getByRole("button", { name: /^Custom Zoom/ }).click();
    const zoom = await newCard(page, [gridId, upId]);
    await expect(zoom).toHaveAttribute("data-status", "needs_input", { timeout: 30_000 });
    await zoom.getByTestId("zoom-factor").fill("1.8");
    await zoom.getByRole("button", { name: "Continue" }).click();
    await expect(zoom).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    await expect(zoom.getByTestId("task-image")).toBeVisible();
  });
});
