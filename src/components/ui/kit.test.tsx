/**
 * The UI kit's server render: what a page sends before any JavaScript runs must already carry the accessible
 * structure (captions, header scopes, labels tied to controls, form values), since the list pages and filter forms
 * work without it.
 */
import { describe, expect, it } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { Combobox } from "./combobox";
import { DataTable, type Column } from "./data-table";
import { pageCount } from "./pagination";
import { SelectField } from "./select";

describe("pageCount", () => {
  it("counts at least one page and names the last page when the asked one lies beyond it", () => {
    expect(pageCount(0, 25, 1)).toEqual({ totalPages: 1, beyond: null });
    expect(pageCount(0, 25, 3)).toEqual({ totalPages: 1, beyond: null });
    expect(pageCount(25, 25, 1)).toEqual({ totalPages: 1, beyond: null });
    expect(pageCount(26, 25, 2)).toEqual({ totalPages: 2, beyond: null });
    expect(pageCount(26, 25, 3)).toEqual({ totalPages: 2, beyond: 2 });
  });
});

type Row = { id: string; name: string; amount: number };
const columns: Column<Row>[] = [
  { id: "name", header: "Name", rowHeader: true, cell: (r) => r.name },
  { id: "amount", header: "Amount", className: "text-right", cell: (r) => r.amount.toFixed(2) },
];

describe("DataTable", () => {
  it("renders a captioned table with column and row headers, row attributes and pagination", () => {
    const html = renderToStaticMarkup(
      <DataTable
        caption="Payments, page 1 of 2"
        columns={columns}
        rows={[
          { id: "a", name: "Ana", amount: 3 },
          { id: "b", name: "Ben", amount: 4.5 },
        ]}
        rowKey={(r) => r.id}
        rowProps={() => ({ "data-testid": "payment-row" })}
        pagination={{ page: 1, totalPages: 2, hrefFor: (p) => `/x?page=${p}` }}
      />,
    );
    expect(html).toMatch(/<caption[^>]*class="[^"]*\bsr-only\b[^"]*">Payments, page 1 of 2<\/caption>/);
    expect(html.match(/<th[^>]*scope="col"[^>]*>(Name|Amount)<\/th>/g)).toHaveLength(2);
    expect(html).toMatch(/<th[^>]*scope="row"[^>]*>Ana<\/th>/);
    expect(html.match(/data-testid="payment-row"/g)).toHaveLength(2);
    expect(html).toContain(">4.50</td>");
    expect(html).toContain('aria-label="Pagination"');
    expect(html).toContain('href="/x?page=2"');
  });

  it("shows the empty state instead of an empty table", () => {
    const html = renderToStaticMarkup(<DataTable caption="Users" columns={columns} rows={[]} rowKey={(r) => r.id} empty={<p>No users yet</p>} />);
    expect(html).toBe("<p>No users yet</p>");
  });
});

describe("SelectField", () => {
  it("ties its label to the trigger, shows the chosen label and submits the value (also '') before hydration", () => {
    const options = [
      { value: "", label: "All roles" },
      { value: "provider", label: "Provider" },
    ];
    const chosen = renderToStaticMarkup(<SelectField id="user-role" label="Role" name="role" defaultValue="provider" options={options} />);
    expect(chosen).toContain('<label for="user-role"');
    expect(chosen).toMatch(/<button[^>]*role="combobox"[^>]*id="user-role"|<button[^>]*id="user-role"[^>]*role="combobox"/);
    expect(chosen).toContain("Provider");
    expect(chosen).toContain('<input type="hidden" name="role" value="provider"/>');
    const all = renderToStaticMarkup(<SelectField id="user-role" label="Role" name="role" defaultValue="" options={options} />);
    expect(all).toContain("All roles");
    expect(all).toContain('<input type="hidden" name="role" value=""/>');
  });
});

describe("Combobox", () => {
  const options = [
    { value: "BTC/USDT", label: "BTC/USDT" },
    { value: "ETH/USDT", label: "ETH/USDT" },
  ];
  it("button mode: a labelled, collapsed combobox showing the choice, with the value in a hidden input", () => {
    const html = renderToStaticMarkup(<Combobox id="sym" label="Symbol" name="symbol" options={options} value="ETH/USDT" onValueChange={() => {}} hint="Pick one" />);
    expect(html).toContain('<label for="sym"');
    expect(html).toMatch(/role="combobox"[^>]*aria-expanded="false"/);
    expect(html).toContain('aria-describedby="sym-hint"');
    expect(html).toContain(">ETH/USDT</span>");
    expect(html).toContain('<input type="hidden" name="symbol" value="ETH/USDT"/>');
  });

  it("input mode: the labelled field is the combobox; errors replace the hint in its description", () => {
    const html = renderToStaticMarkup(
      <Combobox id="sym" mode="input" label="Symbol" options={options} value={null} onValueChange={() => {}} search="bt" errors={["Choose a symbol"]} hint="Type to search" />,
    );
    // cmdk's label names the input (for= and aria-labelledby): the one label, shown.
    const label = html.match(/<label cmdk-label="" for="([^"]+)" id="([^"]+)"[^>]*>Symbol<\/label>/);
    expect(label).not.toBeNull();
    const input = html.match(/<input[^>]*>/)![0];
    expect(input).toContain('role="combobox"');
    expect(input).toContain(`id="${label![1]}"`);
    expect(input).toContain(`aria-labelledby="${label![2]}"`);
    expect(html.match(/<label/g)).toHaveLength(1);
    expect(html).toContain('value="bt"');
    expect(html).toContain('aria-describedby="sym-error"');
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain("Choose a symbol");
    expect(html).not.toContain("Type to search");
  });
});
