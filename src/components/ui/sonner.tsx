"use client";

import { Toaster as Sonner, type ToasterProps } from "sonner";

/**
 * The app's toasts (sonner), mounted once in the root layout. Toasts are announced politely; use them for
 * confirmations of something the person just did, never as the only place an error is shown.
 */
export function Toaster(props: ToasterProps) {
  return (
    <Sonner
      theme="light"
      position="bottom-right"
      closeButton
      toastOptions={{
        classNames: {
          toast: "!rounded-lg !border !border-slate-200 !bg-white !text-slate-900 !shadow-md !font-sans",
          description: "!text-slate-600",
          actionButton: "!bg-brand-700 !text-white",
          cancelButton: "!bg-slate-100 !text-slate-700",
          success: "[&_[data-icon]]:!text-emerald-600",
          error: "[&_[data-icon]]:!text-red-600",
        },
      }}
      {...props}
    />
  );
}

export { toast } from "sonner";
