import { describe, expect, it } from "vitest";
import { identifyProps, signatureValid } from "../../worker/ingest/verify-identity";
import { bareUrl, pathWithoutParams } from "../../worker/ingest/strip-url";
import { flatIdentify } from "../../worker/ingest/identify-traits";

// What README's Node, PHP and Python one-liners print for SECRET=idsec_abc and ana@example.com.
const README_SIG = "45c4c62324f2a5e7bfedcb27e675b8c0b7a4c8ef754c4a346df708ce544bea1b";

describe("identity signatures", () => {
  it.each([
    ["the README's example", "idsec_abc", "ana@example.com", README_SIG, true],
    ["the same in capitals", "idsec_abc", "ana@example.com", README_SIG.toUpperCase(), true],
    ["another email", "idsec_abc", "Ana@example.com", README_SIG, false],
    ["another secret", "idsec_abd", "ana@example.com", README_SIG, false],
    ["a site without a secret", null, "ana@example.com", README_SIG, false],
    ["a signature that is no hex", "idsec_abc", "ana@example.com", "z".repeat(64), false],
  ])("verify %s: %s", async (_name, secret, email, sig, valid) => {
    expect(await signatureValid(secret, email, sig)).toBe(valid);
  });

  it("keeps the signature out of the stored properties and marks only a verified identify", () => {
    expect(identifyProps({ email: "a@b.example", sig: README_SIG, title: "CTO" }, true)).toEqual({ email: "a@b.example", title: "CTO", __verified: true });
    expect(identifyProps({ email: "a@b.example", sig: README_SIG }, false)).toEqual({ email: "a@b.example" });
  });
});

describe("URLs as the collector keeps them", () => {
  it.each([
    ["https://shop.example/files/Report.pdf?email=a@b.example&token=x#p2", "https://shop.example/files/Report.pdf"],
    ["https://shop.example/a;jsessionid=ABC/b;v=1/c.pdf;x", "https://shop.example/a/b/c.pdf"],
    ["http://127.0.0.1:8788/tour.webm?copy=2", "http://127.0.0.1:8788/tour.webm"],
    ["blob:https://shop.example/7f1c?token=x", "blob:https://shop.example/7f1c"],
    ["data:video/mp4;base64,AAAA", "data:video/mp4"],
    ["/relative/file.zip?session=1", "/relative/file.zip"],
  ])("%s -> %s", (raw, kept) => {
    expect(bareUrl(raw)).toBe(kept);
  });

  it("drops path parameters from page paths", () => {
    expect(pathWithoutParams("/shop;jsessionid=1A2B/cart;v=2")).toBe("/shop/cart");
  });
});

describe("an identify as the tracker sends it", () => {
  it.each([
    ["traits nested, as the page passed them", { n: "identify", d: { email: "a@b.example", sig: "s", traits: { title: "CTO", email: "x@y.example" } } }, { n: "identify", d: { title: "CTO", email: "a@b.example", sig: "s" } }],
    ["already flat (older trackers)", { n: "identify", d: { email: "a@b.example", title: "CTO" } }, { n: "identify", d: { email: "a@b.example", title: "CTO" } }],
    ["traits that are no object: left for validation", { n: "identify", d: { traits: "CTO" } }, { n: "identify", d: { traits: "CTO" } }],
    ["another event type with a traits property", { n: "track", c: "x", d: { traits: { a: 1 } } }, { n: "track", c: "x", d: { traits: { a: 1 } } }],
  ])("%s", (_name, event, flat) => {
    expect(flatIdentify(event)).toEqual(flat);
  });
});
