/**
 * A small User-Agent reader for the signed-in devices list: which browser and which operating system, in words a
 * person recognises ("Chrome 131", "macOS"). Not a full parser (a library such as ua-parser-js knows thousands of
 * agents): the list only needs the common browsers told apart, and anything else reads "Unknown browser" rather than
 * a guess. Order matters: Edge, Opera and Samsung Internet also say "Chrome" and "Safari", Chrome also says "Safari".
 */

export interface ParsedUserAgent {
  /** "Chrome 131", "Firefox 133", "Safari 18", "Edge 131", "curl 8", or "Unknown browser". */
  browser: string;
  /** "Windows", "macOS", "iOS", "Android", "Linux", "ChromeOS", or "Unknown OS". */
  os: string;
  /** A phone or tablet. */
  mobile: boolean;
}

/** Browser tokens in the order they must be tried; `version` names the token whose number is the browser's version. */
const BROWSERS: ReadonlyArray<{ name: string; token: RegExp }> = [
  { name: "Edge", token: /\b(?:Edg|EdgA|EdgiOS|Edge)\/(\d+)/ },
  { name: "Opera", token: /\b(?:OPR|OPiOS)\/(\d+)/ },
  { name: "Samsung Internet", token: /\bSamsungBrowser\/(\d+)/ },
  { name: "Firefox", token: /\b(?:Firefox|FxiOS)\/(\d+)/ },
  { name: "Chrome", token: /\b(?:Chrome|CriOS)\/(\d+)/ },
  // Safari's own version is in "Version/18.1"; "Safari/605.1.15" is the WebKit build.
  { name: "Safari", token: /\bVersion\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\// },
  { name: "curl", token: /^curl\/(\d+)/ },
  { name: "Wget", token: /^Wget\/(\d+)/ },
];

const OSES: ReadonlyArray<{ name: string; token: RegExp }> = [
  // iPadOS 13+ Safari says "Macintosh"; only a touch hint could tell, and the header has none.
  { name: "iOS", token: /\b(?:iPhone|iPad|iPod)\b/ },
  { name: "Android", token: /\bAndroid\b/ },
  { name: "Windows", token: /\bWindows\b/ },
  { name: "ChromeOS", token: /\bCrOS\b/ },
  { name: "macOS", token: /\b(?:Macintosh|Mac OS X)\b/ },
  { name: "Linux", token: /\bLinux\b/ },
];

export function parseUserAgent(userAgent: string | null | undefined): ParsedUserAgent {
  const ua = (userAgent ?? "").slice(0, 512);
  let browser = "Unknown browser";
  for (const b of BROWSERS) {
    const m = b.token.exec(ua);
    if (m) {
      browser = `${b.name} ${m[1]}`;
      break;
    }
  }
  const os = OSES.find((o) => o.token.test(ua))?.name ?? "Unknown OS";
  const mobile = /\b(?:Mobile|iPhone|iPad|iPod|Android)\b/.test(ua);
  return { browser, os, mobile };
}

/** "Chrome 131 on macOS", for an email or a label; an agent that says nothing useful reads "an unknown browser". */
export function describeUserAgent(userAgent: string | null | undefined): string {
  const { browser, os } = parseUserAgent(userAgent);
  if (browser === "Unknown browser" && os === "Unknown OS") return "an unknown browser";
  if (os === "Unknown OS") return browser;
  return `${browser} on ${os}`;
}
