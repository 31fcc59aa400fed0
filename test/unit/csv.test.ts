import { describe, expect, it } from "vitest";
import { csvCell, parseCsv, toCsv } from "../../worker/lib/csv";

describe("csvCell", () => {
  it.each([
    ["a plain word", "Acme", "Acme"],
    ["a formula", "=HYPERLINK(\"https://evil.example\",\"x\")", "\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"x\"\")\""],
    ["a DDE payload", "=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ["a leading plus", "+1+1", "'+1+1"],
    ["a leading minus", "-2+3", "'-2+3"],
    ["a leading at", "@SUM(A1:A2)", "'@SUM(A1:A2)"],
    ["a leading tab", "\t=1", "'\t=1"],
    ["a leading carriage return", "\r=1", "\"'\r=1\""],
    ["an equals sign later on", "a=b", "a=b"],
    ["a comma", "a,b", "\"a,b\""],
    ["a quote", 'say "hi"', '"say ""hi"""'],
    ["a line break", "a\nb", "\"a\nb\""],
  ])("writes %s safely", (_name, value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it.each([
    ["a negative number", -5, "-5"],
    ["a number", 42.5, "42.5"],
    ["a boolean", true, "true"],
    ["null", null, ""],
  ])("writes %s as a value, not text", (_name, value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});

it("writes a document with a header row and CRLF line ends", () => {
  expect(toCsv(["a", "b"], [["=1", 2], ["x,y", null]])).toBe("a,b\r\n'=1,2\r\n\"x,y\",\r\n");
});

describe("parseCsv", () => {
  it("reads what toCsv writes, escaped formulas, quotes and line breaks included", () => {
    const rows = [
      ["a,b", 'say "hi"', "line\nbreak"],
      ["=1+1", "-2", "plain"],
    ];
    const parsed = parseCsv(toCsv(["x", "y", "z"], rows));
    expect(parsed.map((r) => r.cells)).toEqual([["x", "y", "z"], ...rows]);
  });

  it("numbers records by the line they start on, skipping blank lines, with LF or CRLF and a byte-order mark", () => {
    const parsed = parseCsv('\uFEFFh1,h2\n\n"two\nlines",x\r\nlast,y');
    expect(parsed).toEqual([
      { line: 1, cells: ["h1", "h2"] },
      { line: 3, cells: ["two\nlines", "x"] },
      { line: 5, cells: ["last", "y"] },
    ]);
  });

  it("names the line of a quote that is never closed", () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3')).toThrow("line 2: a quoted cell is not closed");
  });
});
