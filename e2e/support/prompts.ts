// Steps shared by the prompt specs: addresses, creating a prompt through the API (for specs that
// are not about creating one), and typing into the CodeMirror editors.
import { expect, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import { ORG, PROJECT, PROJECT_URL, mutate } from "./helpers";

export function promptUrl(name: string, action?: "edit" | "compare") {
  return `${PROJECT_URL}/prompts/${name.split("/").map(encodeURIComponent).join("/")}${action ? `/~${action}` : ""}`;
}

export async function createChatPrompt(
  request: APIRequestContext,
  name: string,
  messages: { role: string; content: string }[],
  commitMessage = "First version",
) {
  return mutate<{ name: string; version: number }>(request, "prompts.create", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    name,
    description: "",
    tags: [],
    content: { type: "chat", messages, config: {} },
    commitMessage,
  });
}

/** Replaces the whole text of a CodeMirror editor (its content element is a labelled textbox). */
export async function fillEditor(editor: Locator, text: string) {
  await editor.click();
  await editor.press("ControlOrMeta+a");
  await editor.press("Delete");
  await editor.page().keyboard.insertText(text);
  await expect(editor).toHaveText(text.replace(/\n/g, ""), { useInnerText: false });
}

/** Opens the review dialog from the editor, enters the commit message and saves. */
export async function reviewAndSave(page: Page, commitMessage: string, expectVersion: number) {
  await page.getByRole("button", { name: "Review and save" }).click();
  const dialog = page.getByRole("dialog", { name: `Review and save version ${expectVersion}` });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Commit message").fill(commitMessage);
  await dialog.getByRole("button", { name: `Save version ${expectVersion}` }).click();
  await expect(dialog).toBeHidden();
  return dialog;
}
