import { expect, test, type Locator, type Page } from "@playwright/test";
import { PASSWORD, configure, hydrated, logIn, signUp } from "./helpers";

// Runs after accounts.spec.ts, against the built-in simulator with fast steps (scripts/test.sh).
const carol = { name: "Carol Painter", email: "carol@example.com" };

async function badge(page: Page) {
  return page.getByTestId("credit-badge");
}

/** Reads the progress bar of a card until the card is final; returns every value seen. */
async function watchProgress(card: Locator): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < 300; i++) {
    const status = await card.getAttribute("data-status");
    const bar = card.getByRole("progressbar");
    if (status === "succeeded" || status === "failed" || status === "cancelled") break;
    if (await bar.count()) {
      // The bar leaves the card the moment the task ends: a short wait, not the test's whole
      // timeout, when it went between count() and here.
      const v = await bar.getAttribute("aria-valuenow", { timeout: 500 }).catch(() => null);
      if (v !== null) seen.push(Number(v));
    }
    await card.page().waitForTimeout(50);
  }
  return seen;
}

test.describe.serial("generating", () => {
  let firstTask = "";

  test("a Relax picture: progress forward only, the grid, U1, history and the task view", async ({ page }) => {
    await signUp(page, carol.name, carol.email);
    await expect(await badge(page)).toHaveText("100 credits");
    await page.getByLabel("Prompt").fill("a red fox in snow --ar 3:2");
    await page.getByLabel("Relax").check();
    await expect(page.getByTestId("cost-line")).toContainText("Costs 2");
    await page.getByRole("button", { name: "Generate" }).click();

    const card = page.getByTestId("task-card").first();
    await expect(card).toBeVisible();
    await expect(await badge(page)).toHaveText("98 credits");
    firstTask = (await card.getAttribute("data-task-id")) ?? "";
    const seen = await watchProgress(card);
    expect(seen.some((v) => v > 0 && v < 100), `values seen: ${seen}`).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);

    await expect(card).toHaveAttribute("data-status", "succeeded");
    await expect(card.getByRole("img", { name: "a red fox in snow --ar 3:2" })).toBeVisible();
    // Each button says what it does to a screen reader, not "U12".
    for (const n of [1, 2, 3, 4]) {
      await expect(card.getByRole("button", { name: `Upscale picture ${n}, 2 credits`, exact: true })).toBeVisible();
      await expect(card.getByRole("button", { name: `Variation picture ${n}, 2 credits`, exact: true })).toBeVisible();
    }
    await expect(card.getByRole("button", { name: "Reroll, 2 credits", exact: true })).toBeVisible();

    await card.getByRole("button", { name: "Upscale picture 1, 2 credits" }).click();
    const child = page.locator(`[data-testid=task-card]:not([data-task-id="${firstTask}"])`).first();
    await expect(child).toBeVisible();
    await expect(await badge(page)).toHaveText("96 credits");
    await expect(child).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    await expect(child.getByRole("button", { name: "Vary (Strong), 2 credits", exact: true })).toBeVisible();
    await expect(child.getByRole("button", { name: "Pan left, 2 credits", exact: true })).toBeVisible();
    // The upscale says which picture it is of, and its buttons' price once, with the unit.
    await expect(child.getByTestId("task-action")).toHaveText("Upscale of picture 1");
    await expect(child.getByTestId("credit-hint")).toHaveText("2 credits each");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "History" }).click();
    await expect(page.getByTestId("history-item")).toHaveCount(2);
    // History's tiles say the same: a grid and its upscale do not read alike.
    await expect(page.getByTestId("history-item").first().getByTestId("tile-what")).toContainText("Upscale of picture 1");
    await expect(page.getByTestId("history-item").last().getByTestId("tile-what")).toContainText("Imagine");
    // The tile's words lead to the task's page (its picture opens the viewer).
    await page.getByTestId("history-item").last().getByTestId("tile-what").click();
    await expect(page).toHaveURL(new RegExp(`/history/${firstTask}$`));
    await expect(page.getByTestId("task-image")).toBeVisible();
    await expect(page.getByText("Made from this")).toBeVisible();
  });

  test("cancelling a running task refunds it", async ({ page }) => {
    await logIn(page, carol.email);
    await hydrated(page);
    await expect(await badge(page)).toHaveText("96 credits");
    await page.getByLabel("Prompt").fill("a slow sunrise over the sea");
    await page.getByLabel("Fast").check();
    await page.getByRole("button", { name: "Generate" }).click();
    await expect(await badge(page)).toHaveText("88 credits");
    const card = page.getByTestId("task-card").first();
    await card.getByRole("button", { name: "Cancel" }).click();
    await expect(card).toHaveAttribute("data-status", "cancelled");
    await expect(card.getByTestId("task-status")).toHaveText("Cancelled");
    await expect(await badge(page)).toHaveText("96 credits");
  });

  test("a submit that costs more than the balance says so", async ({ page, request }) => {
    await configure(request, { modes: [{ mode: "fast", cost: 500 }] });
    try {
      await logIn(page, carol.email);
      await hydrated(page);
      await page.getByLabel("Prompt").fill("an expensive castle");
      await page.getByLabel("Fast").check();
      await expect(page.getByTestId("generate-reason")).toHaveText("Not enough credits: this costs 500, you have 96.");
      await expect(page.getByRole("button", { name: "Generate" })).toBeDisabled();
    } finally {
      await configure(request, { modes: [{ mode: "fast", cost: 8 }] });
    }
  });

  test("a prompt containing HTML shows as text", async ({ page }) => {
    await logIn(page, carol.email);
    await hydrated(page);
    const html = `<b id="injected">bold</b> <img src=x onerror="document.title='pwned'">`;
    await page.getByLabel("Prompt").fill(html);
    await page.getByLabel("Relax").check();
    await page.getByRole("button", { name: "Generate" }).click();
    const card = page.getByTestId("task-card").first();
    await expect(card.getByTestId("task-prompt")).toHaveText(html);
    await expect(page.locator("#injected")).toHaveCount(0);
    await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    expect(await page.title()).not.toBe("pwned");
  });

  test("offline, a submit says Atelier cannot be reached and charges nothing", async ({ page }) => {
    await logIn(page, carol.email);
    const before = await (await badge(page)).textContent();
    await page.getByLabel("Prompt").fill("a fox that never leaves");
    await page.getByLabel("Relax").check();
    await page.context().setOffline(true);
    await page.getByRole("button", { name: "Generate" }).click();
    await expect(page.getByTestId("generate-error")).toHaveText(
      "Atelier could not be reached. Check your connection and try again.",
    );
    await page.context().setOffline(false);
    await page.reload();
    await expect(await badge(page)).toHaveText(before ?? "");
    await expect(page.getByText("a fox that never leaves")).toHaveCount(0);
  });

  test("a page whose code is gone (an update meanwhile) says so and offers a reload", async ({ page }) => {
    await logIn(page, carol.email);
    await hydrated(page);
    // As after an update: the History page's code is no longer on the server under its old name.
    const chunks = /\/pkg\/(split_|chunk_)/;
    await page.route(chunks, (route) => route.fulfill({ status: 404, body: "" }));
    await page.getByRole("link", { name: "History" }).click();
    const notice = page.locator("#crash-notice");
    await expect(notice).toHaveAttribute("role", "alert");
    await expect(notice).toContainText("This page stopped working");
    await page.unroute(chunks);
    await notice.getByRole("link", { name: "Reload" }).click();
    await hydrated(page);
    await expect(page.locator("#crash-notice")).toHaveCount(0);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  });

  test("an OpenAI picture: the engine switch, model, quality and count, every image in the card and history", async ({ page }) => {
    await logIn(page, carol.email);
    const before = Number(((await (await badge(page)).textContent()) ?? "").replace(/\D/g, ""));
    await page.getByRole("radio", { name: "OpenAI" }).check();
    // MidJourney's controls make way for the model's.
    await expect(page.getByLabel("Relax")).toHaveCount(0);
    await page.getByRole("combobox", { name: "Model" }).selectOption("gpt-image-1");
    // Size, quality and count are in the bar's options.
    await page.getByRole("button", { name: "Options" }).click();
    await page.getByRole("combobox", { name: "Quality" }).selectOption("medium");
    await page.getByRole("combobox", { name: "Images" }).selectOption("2");
    await expect(page.getByTestId("cost-line")).toContainText("Costs 8");
    await page.getByLabel("Prompt").fill("two lighthouses at dawn");
    await page.getByRole("button", { name: "Generate" }).click();

    const card = page.locator("[data-testid=task-card]", { hasText: "two lighthouses at dawn" }).first();
    await expect(card).toBeVisible();
    await expect(card).toContainText("gpt-image-1 × 2");
    await expect(await badge(page)).toHaveText(`${before - 8} credits`);
    await expect(card).toHaveAttribute("data-status", "succeeded");
    await expect(card.getByTestId("task-image")).toHaveCount(2);
    await expect(card.getByRole("img", { name: "two lighthouses at dawn (Picture 2 of 2)" })).toBeVisible();

    // History shows it under its engine, and not under MidJourney's.
    await page.goto("/history?engine=openai");
    await expect(page.getByTestId("history-item")).toHaveCount(1);
    await expect(page.getByTestId("history-item").first()).toContainText("gpt-image-1 × 2");
    await page.getByTestId("engine-filter").getByRole("link", { name: "MidJourney" }).click();
    await expect(page).toHaveURL(/engine=midjourney/);
    await expect(page.getByText("two lighthouses at dawn")).toHaveCount(0);
  });

  test("a Stable Diffusion picture: checkpoint, size, steps, sampler and negative prompt, live progress, then history", async ({ page }) => {
    await logIn(page, carol.email);
    const before = Number(((await (await badge(page)).textContent()) ?? "").replace(/\D/g, ""));
    await page.getByRole("radio", { name: "Stable Diffusion" }).check();
    await page.getByRole("combobox", { name: "Model" }).selectOption({ label: "atelier-dusk-xl · 1 credit" });
    await page.getByRole("button", { name: "Options" }).click();
    const controls = page.getByTestId("sd-controls");
    await expect(controls).toBeVisible();
    await controls.getByRole("combobox", { name: "Size" }).selectOption("768x512");
    await controls.getByRole("combobox", { name: "Images" }).selectOption("2");
    await controls.getByLabel("Steps").fill("12");
    await controls.getByLabel("CFG scale").fill("5.5");
    await controls.getByRole("combobox", { name: "Sampler" }).selectOption("DPM++ 2M");
    await controls.getByLabel("Negative prompt").fill("fog");
    await expect(page.getByTestId("cost-line")).toContainText("Costs 2");
    await page.getByLabel("Prompt", { exact: true }).fill("a harbour at dusk, oil painting");
    await page.getByRole("button", { name: "Generate" }).click();

    const card = page.locator("[data-testid=task-card]", { hasText: "a harbour at dusk, oil painting" }).first();
    await expect(card).toBeVisible();
    await expect(card).toContainText("atelier-dusk-xl × 2");
    await expect(await badge(page)).toHaveText(`${before - 2} credits`);
    // Real progress from the box, with its picture so far.
    await expect(card.getByRole("progressbar")).toHaveAttribute("aria-valuenow", /^[1-9][0-9]?$/);
    await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    await expect(card.getByTestId("task-image")).toHaveCount(2);

    await page.goto("/history?engine=sd_webui");
    await expect(page.getByTestId("history-item")).toHaveCount(1);
    await expect(page.getByTestId("history-item").first()).toContainText("a harbour at dusk, oil painting");
  });

  test("with JavaScript off: the history page renders the prompt, and log-out still posts", async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("Email").fill(carol.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page).toHaveURL(/\/$/);
    await page.goto("/history");
    await expect(page.getByText("a red fox in snow --ar 3:2").first()).toBeVisible();
    await page.goto("/history?q=sunrise");
    await expect(page.getByTestId("history-item")).toHaveCount(1);
    // The header's log-out is a plain form: the browser posts it and follows the redirect.
    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto("/history");
    await expect(page).toHaveURL(/\/login/);
    await context.close();
  });
});
