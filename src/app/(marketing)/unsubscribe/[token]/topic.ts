/** What an unsubscribe link's email was about, in words: read by the page (a server component) and its client parts. */

export type Topic = { kind: "provider"; providerId: string; displayName: string | null } | { kind: "signals" | "digest" | "product" | "copy" | "all" | "weekly" };

/** What an email with this topic was about, as the end of a sentence. */
export function topicPhrase(topic: Topic): string {
  switch (topic.kind) {
    case "provider":
      return topic.displayName ? `signal alerts from ${topic.displayName}` : "signal alerts from a provider who has since left Tradsy";
    case "signals":
      return "signal alerts from the providers you follow";
    case "digest":
      return "your daily digest and monthly report";
    case "product":
      return "getting started with Tradsy, tips and product news";
    case "copy":
      return "your copy trading";
    case "all":
      return "Tradsy news and notifications";
    case "weekly":
      return "a weekly digest of a track record";
  }
}
