import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { ADMIN, adminToken, hydrated, logIn } from "./helpers";

// Runs after accounts.spec.ts (which made ADMIN and bo@example.com).
const BO = "bo@example.com";

async function api(request: APIRequestContext, method: string, path: string, data?: object) {
  const token = await adminToken(request);
  return request.fetch(path, { method, data, headers: { authorization: `Bearer ${token}` } });
}

async function channels(request: APIRequestContext) {
  const res = await api(request, "GET", "/api/v1/channels");
  expect(res.status()).toBe(200);
  return (await res.json()).channels as Array<{ id: string; name: string; enabled: boolean }>;
}

const LABELS = {
  en: { prompt: "Prompt", fast: "Fast", generate: "Generate" },
  zh: { prompt: "提示词", fast: "快速", generate: "生成" },
};

/** Generates a Fast picture as the signed-in user (pages in `lang`); answers its card. */
async function generate(page: Page, prompt: string, lang: "en" | "zh" = "en") {
  const l = LABELS[lang];
  await page.goto("/");
  await hydrated(page);
  await page.getByLabel(l.prompt, { exact: true }).fill(prompt);
  await page.getByLabel(l.fast).check();
  await page.getByRole("button", { name: l.generate, exact: true }).click();
  const card = page.locator("[data-testid=task-card]", { hasText: prompt }).first();
  await expect(card).toBeVisible();
  return card;
}

test.describe.serial("channels", () => {
  test("the admin adds a second channel, disables the first, and a user's generation still succeeds", async ({ page, browser, request }) => {
    const initial = await channels(request);
    // The built-in midjourney channel, and the built-in OpenAI one a new installation has too.
    const first = initial[0];
    const known = new Set(initial.map((c) => c.id));
    try {
      await logIn(page, ADMIN.email);
      await page.goto("/admin/channels");
      await hydrated(page);
      await expect(page.getByTestId("channel")).toHaveCount(initial.length);
      const form = page.getByTestId("channel-form").last();
      await form.getByLabel("Name").fill("Second account");
      await form.getByLabel("API URL").fill("builtin");
      await form.getByRole("button", { name: "Add a channel" }).click();
      await expect(page.getByTestId("channel")).toHaveCount(initial.length + 1);
      const firstCard = page.locator(`[data-testid=channel][data-channel-id="${first.id}"]`);
      await firstCard.getByRole("button", { name: "Disable" }).click();
      await expect(firstCard.getByRole("button", { name: "Enable" })).toBeVisible();
      await expect(firstCard).toContainText("no");

      const context = await browser.newContext();
      const bo = await context.newPage();
      await logIn(bo, BO);
      const card = await generate(bo, "a lighthouse on the second account");
      await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
      await context.close();

      const list = await channels(request);
      const second = list.find((c) => c.name === "Second account");
      expect(second).toBeTruthy();
      // The overview shows the load of each channel.
      await page.goto("/admin/overview");
      await expect(page.getByTestId("channel-load")).toHaveCount(initial.length + 1);
    } finally {
      for (const c of await channels(request)) {
        if (c.id === first.id) await api(request, "PATCH", `/api/v1/channels/${c.id}`, { enabled: true });
        else if (!known.has(c.id)) await api(request, "DELETE", `/api/v1/channels/${c.id}`);
      }
    }
  });

  test("cancelling a follow-up that has finished says so, in English and in Chinese", async ({ page }) => {
    await logIn(page, BO);
    for (const [lang, finished] of [
      ["en", "The task has already finished."],
      ["zh", "任务已经结束。"],
    ] as const) {
      if (lang === "zh") {
        await page.getByRole("button", { name: "简体中文" }).click();
        await hydrated(page);
      }
      const parent = await generate(page, `a parent picture (${lang})`, lang);
      await expect(parent).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
      const upscale = lang === "en" ? "Upscale picture 2, 2 credits" : "放大第 2 张，2 积分";
      // The page stops hearing news, so the follow-up's card still offers Cancel when it is done.
      await page.route(/\/api\/poll_tasks/, (route) => route.abort());
      await parent.getByRole("button", { name: upscale }).click();
      const child = page.locator("[data-testid=task-card][data-status=queued], [data-testid=task-card][data-status=submitted], [data-testid=task-card][data-status=in_progress]").first();
      await expect(child).toBeVisible();
      const id = await child.getAttribute("data-task-id");
      await expect
        .poll(async () => (await (await page.request.get(`/api/v1/tasks/${id}`)).json()).task.status, { timeout: 60_000 })
        .toBe("succeeded");
      await child.getByRole("button", { name: lang === "en" ? "Cancel" : "取消" }).click();
      await expect(page.getByTestId("generate-error")).toHaveText(finished);
      await page.unroute(/\/api\/poll_tasks/);
      await page.goto("/");
    }
    await page.getByRole("button", { name: "English" }).click();
  });
});
