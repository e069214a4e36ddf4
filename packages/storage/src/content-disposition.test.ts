import { describe, expect, it } from "vitest";
import { attachmentDisposition } from "./content-disposition";

describe("attachmentDisposition", () => {
  it("keeps a plain ASCII name in both parameters", () => {
    expect(attachmentDisposition("report.xlsx")).toBe(
      "attachment; filename=\"report.xlsx\"; filename*=UTF-8''report.xlsx",
    );
  });

  it("gives non-ASCII names an ASCII fallback and a percent-encoded UTF-8 filename*", () => {
    expect(attachmentDisposition("Привет.pdf")).toBe(
      "attachment; filename=\"______.pdf\"; filename*=UTF-8''%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82.pdf",
    );
  });

  it("cannot be broken out of by quotes, backslashes, newlines or RFC 5987 specials", () => {
    const header = attachmentDisposition("a\"b\\c\r\nSet-Cookie: x=1;'(*).pdf");
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toBe(
      "attachment; filename=\"a_b_c__Set-Cookie: x=1;'(*).pdf\"; filename*=UTF-8''a%22b%5Cc%0D%0ASet-Cookie%3A%20x%3D1%3B%27%28%2A%29.pdf",
    );
  });
});
