import type * as Contracts from "@reports/contracts";
import { expectTypeOf, test } from "vitest";
import type * as Sdk from "./api-types";

// When one fails, the contracts changed: run `pnpm --filter @reports/sdk generate` (the build does it too).
test("the SDK's plain types are the contracts' types", () => {
  expectTypeOf<Sdk.ReportSpec>().toEqualTypeOf<Contracts.ReportSpecInput>();
  expectTypeOf<Sdk.Column>().toEqualTypeOf<Contracts.ColumnInput>();
  expectTypeOf<Sdk.Table>().toEqualTypeOf<Contracts.TableInput>();
  expectTypeOf<Sdk.ReportStatus>().toEqualTypeOf<Contracts.ReportStatus>();
  expectTypeOf<Sdk.GenerateResult>().toEqualTypeOf<Contracts.GenerateResult>();
  expectTypeOf<Sdk.ReportState>().toEqualTypeOf<Contracts.ReportState>();
  expectTypeOf<Sdk.ReportErrorType>().toEqualTypeOf<Contracts.ReportErrorType>();
  expectTypeOf<Sdk.ApiErrorCode>().toEqualTypeOf<Contracts.ApiErrorCode>();
  expectTypeOf<Sdk.FieldError>().toEqualTypeOf<Contracts.FieldError>();
  expectTypeOf<Sdk.CellValue>().toEqualTypeOf<Contracts.CellValue>();
  expectTypeOf<Sdk.ReportDefinition>().toEqualTypeOf<Contracts.ReportDefinitionInput>();
  expectTypeOf<Sdk.DefinitionDetail>().toEqualTypeOf<Contracts.DefinitionDetail>();
  expectTypeOf<Sdk.GenerateFromDefinition>().toEqualTypeOf<Contracts.GenerateFromDefinitionInput>();
});
