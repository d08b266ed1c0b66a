import type { ComponentProps, Key, ReactNode } from "react";
import { cn } from "./cn";
import { Pagination, type PaginationProps } from "./pagination";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "./table";

/** One column of a DataTable: its header and how a row fills its cell. */
export interface Column<Row> {
  id: string;
  header: ReactNode;
  /** The cell's content (not needed with the table's `renderRow`). */
  cell?: (row: Row, index: number) => ReactNode;
  /** Classes for this column's cells (body). */
  className?: string;
  /** Classes for this column's header cell. */
  headClassName?: string;
  /** Render the cell as a row header (`<th scope="row">`). */
  rowHeader?: boolean;
}

/**
 * The list pages' table: a framed, horizontally scrolling table with typed columns, a caption (its accessible name;
 * screen-reader only unless `showCaption`), an empty state instead of an empty table, and Pagination under it.
 * `renderRow` replaces the default row for rows that need their own (client) component; it must render a TableRow.
 * Renders on the server: cells are plain functions.
 */
export function DataTable<Row>({
  columns,
  rows,
  rowKey,
  caption,
  showCaption = false,
  empty,
  pagination,
  renderRow,
  rowProps,
  headerClassName,
  className,
  bodyClassName,
  framed = true,
}: {
  columns: Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row, index: number) => Key;
  caption: ReactNode;
  showCaption?: boolean;
  /** Shown instead of the table when there are no rows (e.g. an EmptyState). */
  empty?: ReactNode;
  pagination?: PaginationProps;
  renderRow?: (row: Row, index: number) => ReactNode;
  /** Attributes for each row's `<tr>` (className, data-testid, …). */
  rowProps?: (row: Row, index: number) => ComponentProps<"tr"> & { [attribute: `data-${string}`]: string | undefined };
  /** Classes for the `<thead>` (e.g. the lighter header of a table inside a Card). */
  headerClassName?: string;
  /** Classes for the `<table>` (a min-width, say). */
  className?: string;
  bodyClassName?: string;
  framed?: boolean;
}) {
  if (!rows.length && empty !== undefined) return <>{empty}</>;
  return (
    <>
      <Table framed={framed} className={className}>
        <TableCaption className={cn(!showCaption && "sr-only")}>{caption}</TableCaption>
        <TableHeader className={headerClassName}>
          <TableRow>
            {columns.map((c) => (
              <TableHead key={c.id} className={c.headClassName}>
                {c.header}
              </TableHead>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody className={bodyClassName}>
          {rows.map((row, i) =>
            renderRow ? (
              renderRow(row, i)
            ) : (
              <TableRow key={rowKey(row, i)} {...rowProps?.(row, i)}>
                {columns.map((c) =>
                  c.rowHeader ? (
                    <TableHead key={c.id} scope="row" className={cn("font-normal whitespace-normal normal-case", c.className)}>
                      {c.cell?.(row, i)}
                    </TableHead>
                  ) : (
                    <TableCell key={c.id} className={c.className}>
                      {c.cell?.(row, i)}
                    </TableCell>
                  ),
                )}
              </TableRow>
            ),
          )}
        </TableBody>
      </Table>
      {pagination ? <Pagination {...pagination} /> : null}
    </>
  );
}
