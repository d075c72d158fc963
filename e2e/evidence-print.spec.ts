// A compliance officer prints a deployment request's evidence pack to PDF: the printable page
// fits an A4 and a US Letter page (nothing is cut off at the right edge, hashes and the diff
// wrap), and Chromium's PDF of it has its pages. With KEEL_E2E_SCREENSHOTS set, the PDFs are kept
// there to look at.
import { expect, test, type Page } from "@playwright/test";
import { PROJECT_URL, signIn } from "./support/helpers";

const PAPER = [
  // The page's @page margins are 14 mm × 12 mm: the printable width is the paper's less 24 mm.
  { format: "A4", printableWidthPx: Math.floor(((210 - 24) / 25.4) * 96) },
  { format: "Letter", printableWidthPx: Math.floor(((215.9 - 24) / 25.4) * 96) },
] as const;

/** The number of pages in a PDF Chromium wrote (its page objects are not compressed). */
function pageCount(pdf: Buffer): number {
  return pdf.toString("latin1").match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0;
}

async function openEvidence(page: Page): Promise<string> {
  await page.goto(`${PROJECT_URL}/deployments?status=all`);
  const request = page.locator(`a[href^="${PROJECT_URL}/deployments/"]`).filter({ hasText: /#\d+/ }).first();
  await request.click();
  const printable = page.getByRole("link", { name: "Printable page" });
  const href = await printable.getAttribute("href");
  expect(href).toMatch(/evidence\?format=html$/);
  return href!;
}

test("the evidence pack's printable page fits A4 and Letter, and prints to a PDF with its pages", async ({ page }) => {
  await signIn(page, "auditor@example.com");
  const href = await openEvidence(page);
  const response = await page.goto(href);
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Deployment request #");
  await expect(page.getByRole("heading", { name: "Audit events covered" })).toBeVisible();

  await page.emulateMedia({ media: "print" });
  for (const paper of PAPER) {
    await page.setViewportSize({ width: paper.printableWidthPx, height: 1000 });
    const widest = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const over = [...document.body.querySelectorAll("*")].filter((el) => el.getBoundingClientRect().right > width + 1);
      return {
        scrollWidth: document.scrollingElement!.scrollWidth,
        over: over.slice(0, 5).map((el) => `${el.tagName.toLowerCase()}: ${(el.textContent ?? "").trim().slice(0, 60)}`),
      };
    });
    expect(widest.over, `${paper.format}: cut off at the right edge`).toEqual([]);
    expect(widest.scrollWidth, paper.format).toBeLessThanOrEqual(paper.printableWidthPx);

    const pdf = await page.pdf({ format: paper.format });
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const pages = pageCount(pdf);
    expect(pages, `${paper.format} pages`).toBeGreaterThanOrEqual(1);
    expect(pages, `${paper.format} pages`).toBeLessThanOrEqual(20);
    const dir = process.env.KEEL_E2E_SCREENSHOTS;
    if (dir) await import("node:fs/promises").then((fs) => fs.writeFile(`${dir}/evidence-${paper.format}.pdf`, pdf));
  }
});
