"use client";

import { useSyncExternalStore } from "react";
import { formatUtcMonthDayTime } from "@/lib/format/dates";

/**
 * One shared clock for every relative time on the page (a single interval however many rows). The server
 * snapshot is null, so the server and the first client render print the same absolute UTC time and hydration
 * never mismatches; the relative wording takes over right after.
 */
let now = 0;
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      listeners.forEach((l) => l());
    }, 15_000);
  }
  return () => {
    listeners.delete(listener);
    if (!listeners.size && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}
const getSnapshot = () => (now ||= Date.now());
const getServerSnapshot = () => null;

const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto", style: "short" });

function relative(date: Date, at: number): string {
  const s = Math.round((date.getTime() - at) / 1000);
  const abs = Math.abs(s);
  if (abs < 45) return "just now";
  if (abs < 3600) return rtf.format(Math.round(s / 60), "minute");
  if (abs < 86_400) return rtf.format(Math.round(s / 3600), "hour");
  if (abs < 7 * 86_400) return rtf.format(Math.round(s / 86_400), "day");
  return formatUtcMonthDayTime(date);
}

export function RelativeTime({ date, className }: { date: Date; className?: string }) {
  const at = useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
  const abs = formatUtcMonthDayTime(date);
  return (
    <time dateTime={date.toISOString()} title={abs} className={className}>
      {at === null ? abs : relative(date, at)}
    </time>
  );
}
