import "server-only";

/**
 * Checks text the way Telegram parses `parse_mode: "MarkdownV2"` (core.telegram.org/bots/api#markdownv2-style and
 * tdlib's parser), for the local fake Bot API: a reserved character outside entity syntax, an unclosed entity or a
 * link without its URL is refused with Telegram's own words, so a formatter that forgets to escape fails in tests as
 * it would in production. Returns the text as Telegram would show it (markup removed) or the error description.
 *
 * Reserved: _ * [ ] ( ) ~ ` > # + - = | { } . !  Any ASCII character (1–126) after "\" is literal. Inside `code` and
 * ```pre``` only "`" and "\" are special; inside a link's (URL) only ")" and "\".
 */

const RESERVED = "_*[]()~`>#+-=|{}.!";
const ENTITY_NAME: Record<string, string> = { "*": "Bold", _: "Italic", __: "Underline", "~": "Strikethrough", "||": "Spoiler", "[": "TextUrl" };

export type MarkdownV2Check = { ok: true; plain: string } | { ok: false; description: string };

const refuse = (description: string): MarkdownV2Check => ({ ok: false, description: `Bad Request: can't parse entities: ${description}` });

export function checkMarkdownV2(text: string): MarkdownV2Check {
  const stack: { token: string; at: number }[] = [];
  let plain = "";
  let i = 0;
  const byteOffset = (index: number) => Buffer.byteLength(text.slice(0, index), "utf8");
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === "\\") {
      const code = next === undefined ? 0 : next.charCodeAt(0);
      if (code > 0 && code <= 126) {
        plain += next;
        i += 2;
        continue;
      }
      plain += c;
      i += 1;
      continue;
    }
    if (!RESERVED.includes(c)) {
      plain += c;
      i += 1;
      continue;
    }
    const top = stack.at(-1);
    // Closing the innermost entity.
    if (top) {
      if (top.token === "[" && c === "]") {
        if (text[i + 1] !== "(") return refuse(`Can't find end of a URL at byte offset ${byteOffset(i + 1)}`);
        let j = i + 2;
        while (j < text.length && text[j] !== ")") j += text[j] === "\\" ? 2 : 1;
        if (j >= text.length) return refuse(`Can't find end of a URL at byte offset ${byteOffset(i + 1)}`);
        stack.pop();
        i = j + 1;
        continue;
      }
      if (top.token === "__" && c === "_" && next === "_") {
        stack.pop();
        i += 2;
        continue;
      }
      if (top.token === "||" && c === "|" && next === "|") {
        stack.pop();
        i += 2;
        continue;
      }
      if ((top.token === "*" || top.token === "_" || top.token === "~") && c === top.token && !(c === "_" && next === "_" && top.token !== "_")) {
        stack.pop();
        i += 1;
        continue;
      }
    }
    // Code and pre: everything literal up to the closing backtick(s).
    if (c === "`") {
      const fence = text.startsWith("```", i) ? "```" : "`";
      let j = i + fence.length;
      let inner = "";
      while (j < text.length && !text.startsWith(fence, j)) {
        if (text[j] === "\\" && j + 1 < text.length) {
          inner += text[j + 1];
          j += 2;
        } else {
          inner += text[j];
          j += 1;
        }
      }
      if (j >= text.length) return refuse(`Can't find end of ${fence === "```" ? "Pre" : "Code"} entity at byte offset ${byteOffset(i)}`);
      plain += inner;
      i = j + fence.length;
      continue;
    }
    // Opening an entity.
    if (c === "*" || c === "~" || c === "[") {
      stack.push({ token: c, at: i });
      i += 1;
      continue;
    }
    if (c === "_") {
      const token = next === "_" ? "__" : "_";
      stack.push({ token, at: i });
      i += token.length;
      continue;
    }
    if (c === "|" && next === "|") {
      stack.push({ token: "||", at: i });
      i += 2;
      continue;
    }
    if (c === "!" && next === "[") {
      stack.push({ token: "[", at: i + 1 });
      i += 2;
      continue;
    }
    if (c === ">" && (i === 0 || text[i - 1] === "\n")) {
      i += 1;
      continue;
    }
    return refuse(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
  }
  const open = stack.at(-1);
  if (open) return refuse(`Can't find end of ${ENTITY_NAME[open.token] ?? "an"} entity at byte offset ${byteOffset(open.at)}`);
  return { ok: true, plain };
}
