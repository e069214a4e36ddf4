import { existsSync } from "node:fs";
import { reportSpec } from "@reports/contracts";
import { afterAll, describe, expect, it } from "vitest";
import { createRenderPool } from "./index";
import { pdfToText } from "./testing/readers";

/** The optional CJK font pack of the README: Debian's fonts-droid-fallback. */
const DROID = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf";

// CI installs the font pack, so there the test always runs (and fails if the font is missing)
describe.runIf(existsSync(DROID) || process.env.CI === "true")(
  "PDF with a fallback font for CJK (fonts-droid-fallback installed)",
  () => {
    const pool = createRenderPool({ maxThreads: 1, fallbackFonts: [DROID] });
    afterAll(() => pool.close());

    it("draws characters DejaVu Sans lacks with the fallback font, in the title and in cells", async () => {
      const spec = reportSpec.parse({
        format: "pdf",
        title: "東京 report",
        tables: [{ name: "Cities", columns: [{ key: "city", header: "City" }], rows: [{ city: "東京 Tokyo Zoë" }] }],
      });
      const { data } = await pool.render(spec);
      const text = pdfToText(data);
      expect(text).toContain("東京 report");
      expect(text).toContain("東京 Tokyo Zoë");
      expect(data.toString("latin1")).toMatch(/\/BaseFont \/[A-Z]{6}\+DroidSansFallback/);
    });
  },
);
