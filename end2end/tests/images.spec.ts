import { expect, test, type Page } from "@playwright/test";
import { hydrated, signUp } from "./helpers";

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
    // Words left in the box are not the describe's.
    await page.getByLabel("Prompt").fill("words from before");
    await page.getByTestId("mj-action").getByLabel("Describe").check();
    await page.getByLabel("Relax").check();
    await page.getByTestId("image-picker").setInputFiles([file("blue.png", BLUE)]);
    await expect(page.getByTestId("given-image")).toHaveCount(1);
    await page.getByRole("button", { name: "Generate" }).click();
    const card = page.getByTestId("task-card").first();
    // The card shows the picture it describes, not the box's words.
    await expect(card.getByTestId("described-image")).toBeVisible();
    await expect(card).not.toContainText("words from before");
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

  test("a region painted with the mouse on an upscale is repainted, the rest kept", async ({ page }) => {
    await signUp(page, "Iris Five", "iris5@example.com");
    await page.getByLabel("Prompt").fill("a red barn in a field");
    await page.getByLabel("Relax").check();
    await page.getByRole("button", { name: "Generate" }).click();
    const grid = page.getByTestId("task-card").first();
    await expect(grid).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    const gridId = (await grid.getAttribute("data-task-id")) ?? "";
    await grid.getByRole("button", { name: /^Upscale picture 2/ }).click();
    const up = await newCard(page, [gridId]);
    await expect(up).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    const upId = (await up.getAttribute("data-task-id")) ?? "";
    await up.getByRole("button", { name: /^Vary \(Region\)/ }).click();
    const region = await newCard(page, [gridId, upId]);
    await expect(region).toHaveAttribute("data-status", "needs_input", { timeout: 30_000 });
    const canvas = region.getByTestId("mask-canvas");
    await expect(canvas).toBeVisible();

    // Nothing painted: nothing sent.
    await region.getByRole("button", { name: "Continue" }).click();
    await expect(region.getByRole("alert")).toHaveText("Paint the region to repaint first.");
    await expect(region).toHaveAttribute("data-status", "needs_input");

    // The keyboard paints the dashed box; undo takes it back.
    await canvas.focus();
    await page.keyboard.press("Enter");
    await expect(region.getByTestId("mask-undo")).toBeEnabled();
    await page.keyboard.press("Backspace");
    await expect(region.getByTestId("mask-undo")).toBeDisabled();

    // A rectangle dragged with the mouse over the picture's upper left (the canvas brought to the
    // bottom of the screen, clear of the prompt bar docked at the top).
    await canvas.evaluate((el) => el.scrollIntoView({ block: "end" }));
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.45, { steps: 5 });
    await page.mouse.up();
    await expect(region.getByTestId("mask-undo")).toBeEnabled();
    await region.getByLabel("Prompt for the region").fill("a red barn with a blue door");
    await region.getByRole("button", { name: "Continue" }).click();
    await expect(region).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    await expect(region.getByTestId("task-prompt")).toHaveText("a red barn with a blue door");
    await expect(region.getByTestId("task-image")).toBeVisible();

    // The child is a grid of four repaints: inside the region each tile is its own, outside it
    // every tile is the same original.
    const regionId = (await region.getAttribute("data-task-id")) ?? "";
    const differ = await page.evaluate(async (child) => {
      const img = new Image();
      img.src = child;
      await img.decode();
      const c = document.createElement("canvas");
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext("2d")!;
      ctx.drawImage(img, 0, 0);
      // A point of tile `t` (0: top left, 1: top right), in the tile's own fractions.
      const at = (t: number, fx: number, fy: number) =>
        Array.from(ctx.getImageData(Math.floor((t * 0.5 + fx * 0.5) * c.width), Math.floor(fy * 0.5 * c.height), 1, 1).data);
      const same = (fx: number, fy: number) => at(0, fx, fy).every((v, i) => Math.abs(v - at(1, fx, fy)[i]) <= 2);
      return { inside: !same(0.28, 0.28) || !same(0.2, 0.35), outside: same(0.8, 0.8) && same(0.9, 0.1) && same(0.1, 0.9) };
    }, `/api/v1/tasks/${regionId}/image`);
    expect(differ).toEqual({ inside: true, outside: true });
  });

  test("remix: a variation drawn from a changed prompt", async ({ page }) => {
    await signUp(page, "Iris Six", "iris6@example.com");
    await page.getByLabel("Prompt").fill("a quiet harbour");
    await page.getByLabel("Relax").check();
    await page.getByRole("button", { name: "Generate" }).click();
    const grid = page.getByTestId("task-card").first();
    await expect(grid).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    const gridId = (await grid.getAttribute("data-task-id")) ?? "";
    await grid.getByTestId("remix").check();
    await grid.getByRole("button", { name: /^Variation picture 1/ }).click();
    const form = grid.getByTestId("remix-form");
    await expect(form.getByRole("textbox")).toBeFocused();
    await form.getByRole("textbox").fill("a stormy harbour");
    await form.getByRole("button", { name: "Send" }).click();
    const child = await newCard(page, [gridId]);
    await expect(child.getByTestId("task-prompt")).toHaveText("a stormy harbour");
    await expect(child).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  });

  test("a picture of the history as a reference, and an OpenAI edit of a painted region", async ({ page }) => {
    await signUp(page, "Iris Seven", "iris7@example.com");
    await page.getByRole("radio", { name: "OpenAI" }).check();
    await page.getByRole("combobox", { name: "Model" }).selectOption("gpt-image-1");
    await page.getByLabel("Prompt").fill("a teapot on a table");
    await page.getByRole("button", { name: "Generate" }).click();
    const first = page.getByTestId("task-card").first();
    await expect(first).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    const firstId = (await first.getAttribute("data-task-id")) ?? "";

    // From its page, to the Generate page as the picture to start from.
    await page.goto(`/history/${firstId}`);
    await hydrated(page);
    await page.getByTestId("use-as-reference").click();
    await expect(page).toHaveURL(/\/\?reference=/);
    await expect(page.getByTestId("given-image")).toHaveCount(1);
    await page.getByRole("radio", { name: "OpenAI" }).check();
    await page.getByRole("combobox", { name: "Model" }).selectOption("gpt-image-1");
    const editor = page.getByTestId("edit-controls").getByTestId("mask-canvas");
    await expect(editor).toBeVisible();
    const box = (await editor.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.9, { steps: 5 });
    await page.mouse.up();
    await page.getByTestId("edit-controls").getByTestId("mask-invert").click();
    await page.getByLabel("Prompt").fill("the same teapot, in gold");
    await page.getByRole("button", { name: "Generate" }).click();
    const edit = await newCard(page, [firstId]);
    await expect(edit).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    await expect(edit).toContainText("Edit");
    await expect(edit.getByTestId("task-image")).toBeVisible();
  });
  test("an OpenAI picture varied in one click from its card, then edited in the bar", async ({ page }) => {
    await signUp(page, "Iris Eight", "iris8@example.com");
    await page.getByRole("radio", { name: "OpenAI" }).check();
    await page.getByRole("combobox", { name: "Model" }).selectOption("gpt-image-1");
    await page.getByLabel("Prompt").fill("a brass lantern");
    await page.getByRole("button", { name: "Generate" }).click();
    const first = page.getByTestId("task-card").first();
    await expect(first).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    const firstId = (await first.getAttribute("data-task-id")) ?? "";
    const original = page.locator(`[data-task-id="${firstId}"]`);

    // Vary: a new task at once, an edit of that picture with its prompt, priced on the button.
    await original.getByRole("button", { name: /^Vary, \d+ credits?$/ }).click();
    const varied = await newCard(page, [firstId]);
    await expect(varied.getByTestId("task-action")).toHaveText("Edit");
    await expect(varied.getByTestId("task-prompt")).toHaveText("a brass lantern");
    await expect(varied).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });

    // Edit: the picture, its prompt and its model go into the bar, for the user to change.
    await page.getByLabel("Prompt").fill("");
    await page.getByRole("radio", { name: "MidJourney" }).check();
    await original.getByRole("button", { name: "Edit", exact: true }).click();
    await expect(page.getByTestId("given-image")).toHaveCount(1);
    await expect(page.getByRole("radio", { name: "OpenAI" })).toBeChecked();
    await expect(page.getByLabel("Prompt")).toHaveValue("a brass lantern");
    // The focus too: loading the editor's code (its own chunk) no longer takes the studio out of the page.
    await expect(page.getByLabel("Prompt")).toBeFocused();

    // The region to repaint, full screen: the picture fills the screen, the keys paint, Escape
    // brings it back with the focus on its switch.
    const controls = page.getByTestId("edit-controls");
    await controls.getByRole("button", { name: "Full screen" }).click();
    const dialog = page.getByRole("dialog", { name: "Region to repaint" });
    await expect(dialog).toBeVisible();
    // The whole screen, not the bar's box (the bar's backdrop filter once held it).
    const frame = (await dialog.boundingBox())!;
    expect([frame.x, frame.y, frame.width, frame.height]).toEqual([0, 0, 1280, 720]);
    const canvas = dialog.getByTestId("mask-canvas");
    await expect(canvas).toBeFocused();
    const box = (await canvas.boundingBox())!;
    expect(box.height).toBeGreaterThan(400);
    await page.keyboard.press("Enter");
    await expect(dialog.getByTestId("mask-undo")).toBeEnabled();
    await page.keyboard.press("Escape");
    await expect(dialog).toHaveCount(0);
    await expect(controls.getByTestId("mask-full")).toBeFocused();
    await expect(controls.getByTestId("mask-undo")).toBeEnabled();
  });
});
