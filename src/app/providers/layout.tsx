import type { ReactNode } from "react";
import { PublicLayout } from "@/app/_components/public-layout";

/** The marketplace is public: inside the app shell for onboarded users, with the site header for everyone else. */
export default function ProvidersLayout({ children }: { children: ReactNode }) {
  return <PublicLayout>{children}</PublicLayout>;
}
