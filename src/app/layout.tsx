import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { connection } from "next/server";
import { headers } from "next/headers";
import { appBaseUrl } from "@/server/http/base-url";
import { Toaster } from "@/components/ui/sonner";
import { TRPCReactProvider } from "@/trpc/react";
import "./globals.css";

const TITLE = "Tradsy — verified trading signals, copied for you";
const DESCRIPTION =
  "Follow signal providers with tamper-evident track records and copy their trades into a paper or exchange account under your own risk limits.";
/** public/og-image.png: the brand and tagline, 1200×630, as link previews (Open Graph, X) show it. */
const OG_IMAGE = { url: "/og-image.png", width: 1200, height: 630, alt: "Tradsy — verified trading signals, copied for you" };

/**
 * Per request, because link previews need absolute image URLs: the base is APP_URL (or, in development, the address
 * the page was opened on), which production only knows at run time.
 */
export async function generateMetadata(): Promise<Metadata> {
  return {
    metadataBase: new URL(appBaseUrl(await headers())),
    title: { default: TITLE, template: "%s · Tradsy" },
    description: DESCRIPTION,
    applicationName: "Tradsy",
    manifest: "/site.webmanifest",
    icons: {
      icon: [{ url: "/favicon.ico", sizes: "16x16 32x32 48x48" }, { url: "/icon.svg", type: "image/svg+xml" }, { url: "/icon-192.png", type: "image/png", sizes: "192x192" }],
      apple: [{ url: "/apple-touch-icon.png", sizes: "180x180" }],
    },
    openGraph: { type: "website", siteName: "Tradsy", title: TITLE, description: DESCRIPTION, images: [OG_IMAGE] },
    twitter: { card: "summary_large_image", title: TITLE, description: DESCRIPTION, images: [OG_IMAGE.url] },
  };
}

export const viewport: Viewport = { themeColor: "#0f766e", width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page is rendered per request: its scripts carry the nonce of that request's Content Security Policy
  // (src/proxy.ts), which a page prerendered at build time could not have, and the policy would block them.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-dvh">
        <a href="#main" className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
          Skip to content
        </a>
        <TRPCReactProvider>{children}</TRPCReactProvider>
        <Toaster />
      </body>
    </html>
  );
}
