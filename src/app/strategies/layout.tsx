import type { ReactNode } from "react";
import { PublicLayout } from "@/app/_components/public-layout";

/** The Strategy Library is public (like the marketplace): inside the app shell for onboarded users, with the site header for everyone else. */
export default function StrategiesLayout({ children }: { children: ReactNode }) {
  return <PublicLayout>{children}</PublicLayout>;
}
