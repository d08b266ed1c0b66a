/**
 * The take-profit fields as a new publish form renders them (server render, before any JavaScript): the size is a
 * value the person can change, not a placeholder that looks like one.
 */
import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { useForm } from "react-hook-form";
import type { PublishSignalInput } from "@/lib/validation/signals";
import { publishFormDefaults, type PublishFormContext, type PublishFormValues } from "./publish-form-schema";
import { TakeProfitFields } from "./take-profit-fields";

function NewForm({ defaults = publishFormDefaults() }: { defaults?: PublishFormValues }) {
  const form = useForm<PublishFormValues, PublishFormContext, PublishSignalInput>({ defaultValues: defaults });
  return <TakeProfitFields form={form} values={form.getValues()} assigned={new Decimal(1)} />;
}

/** The `<input>` whose accessible name is `label`, as markup. */
function input(html: string, label: string): string {
  const tag = html.match(new RegExp(`<input[^>]*aria-label="${label.replace(/[()]/g, "\\$&")}"[^>]*>`))?.[0];
  if (!tag) throw new Error(`no input named ${label}`);
  return tag;
}

describe("take-profit fields of a new publish form", () => {
  it("fill the one level's size with 100 (%), a value and not a placeholder, and leave its price empty", () => {
    const html = renderToStaticMarkup(<NewForm />);
    const size = input(html, "Take-profit 1 size (%)");
    expect(size).toContain('value="100"');
    expect(size).not.toContain("placeholder=");
    expect(input(html, "Take-profit 1 price")).not.toContain("value=");
    expect(html).not.toContain("Take-profit 2");
  });

  it("show each level's own size", () => {
    const html = renderToStaticMarkup(
      <NewForm
        defaults={{
          ...publishFormDefaults(),
          takeProfits: [
            { price: "", size: "34" },
            { price: "", size: "33" },
            { price: "", size: "33" },
          ],
        }}
      />,
    );
    expect(input(html, "Take-profit 1 size (%)")).toContain('value="34"');
    expect(input(html, "Take-profit 3 size (%)")).toContain('value="33"');
    expect(html).toContain("split evenly until you change it");
  });
});
